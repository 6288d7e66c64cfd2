import { Client } from 'pg';
import { TEST_DATABASE_URL } from '../../support/test-app';

/** Rebuild schemas sit beside the app's schema (`<schema>_rebuild_<projection>`) and would outlive it: drop them. */
export async function dropRebuildSchemas(databaseUrl: string | undefined): Promise<void> {
  const schema = databaseUrl ? new URL(databaseUrl).searchParams.get('schema') : null;
  if (!schema) return;
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)', [`${schema}_rebuild_`]);
    for (const { nspname } of rows) await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(nspname)} CASCADE`);
  } finally {
    await client.end();
  }
}
