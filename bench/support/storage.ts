import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export type StoreKind = 'sqlite' | 'postgres';

/** The PostgreSQL server benchmarks and fault tests use (each in a fresh schema of its own). */
export const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Fresh storage for one service process: a temp DATA_DIR (always: the embedded key pair lives
 * there) and, for PostgreSQL, a schema of its own that the service reaches through
 * `DATABASE_URL?schema=`. `drop()` removes both.
 */
export class ServiceStorage {
  private constructor(
    readonly kind: StoreKind,
    readonly dataDir: string,
    /** PostgreSQL only: the schema holding the events and the read model. */
    readonly schema: string | undefined,
    /** PostgreSQL only: the server URL without the schema parameter. */
    readonly serverUrl: string | undefined,
  ) {}

  static async create(kind: StoreKind, serverUrl: string = POSTGRES_URL): Promise<ServiceStorage> {
    const dataDir = mkdtempSync(join(tmpdir(), `actions-${kind}-`));
    if (kind === 'sqlite') return new ServiceStorage(kind, dataDir, undefined, undefined);
    const schema = `svc_${randomBytes(6).toString('hex')}`;
    await withPostgres(serverUrl, (client) => client.query(`CREATE SCHEMA ${client.escapeIdentifier(schema)}`));
    return new ServiceStorage(kind, dataDir, schema, serverUrl);
  }

  /** DATABASE_URL for the service, optionally through another host:port (a fault proxy). */
  databaseUrl(via?: { host: string; port: number }): string | undefined {
    if (this.kind === 'sqlite' || !this.serverUrl || !this.schema) return undefined;
    const url = new URL(this.serverUrl);
    if (via) {
      url.hostname = via.host;
      url.port = String(via.port);
    }
    url.searchParams.set('schema', this.schema);
    return url.toString();
  }

  /** The environment that points a service process at this storage. */
  serviceEnv(via?: { host: string; port: number }): Record<string, string> {
    const databaseUrl = this.databaseUrl(via);
    return { DATA_DIR: this.dataDir, EVENT_STORE: this.kind, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
  }

  /** SQLite: the service's files. */
  get eventsFile(): string {
    return join(this.dataDir, 'events.db');
  }

  get readModelFile(): string {
    return join(this.dataDir, 'read-model.db');
  }

  async drop(): Promise<void> {
    rmSync(this.dataDir, { recursive: true, force: true });
    if (this.kind === 'postgres' && this.schema && this.serverUrl) {
      const schema = this.schema;
      await withPostgres(this.serverUrl, async (client) => {
        // Rebuilds leave `<schema>_rebuild_<projection>` behind only when interrupted; drop them too.
        const { rows } = await client.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname = $1 OR nspname LIKE $2`, [
          schema,
          `${schema}\\_rebuild\\_%`,
        ]);
        for (const { nspname } of rows) await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(nspname)} CASCADE`);
      });
    }
  }
}

export async function withPostgres<T>(url: string, job: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await job(client);
  } finally {
    await client.end();
  }
}
