import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import type { EntityTarget } from '@app/eventsourcing';
import { splitSchema } from './database-url';
import { READ_MODEL_APPLICATION_NAME } from './read-model-application';

/**
 * The read-model database: PostgreSQL when DATABASE_URL is set, else `<dataDir>/read-model.db`
 * (a file of its own, apart from the events: SQLite has one writer per file, so projection
 * batches never wait for appends).
 */
export async function openReadModel(config: AppConfig, entities: readonly EntityTarget[]): Promise<DataSource> {
  const dataSource = createReadModel(config, entities);
  await initializeReadModel(config, dataSource);
  return dataSource;
}

/** The read-model DataSource, not connected yet (see {@link initializeReadModel}). */
export function createReadModel(config: AppConfig, entities: readonly EntityTarget[]): DataSource {
  return config.databaseUrl ? postgresReadModel(config.databaseUrl, entities) : sqliteReadModel(config.dataDir, entities);
}

/** Creates the PostgreSQL schema when missing and connects; does nothing once connected. */
export async function initializeReadModel(config: AppConfig, dataSource: DataSource): Promise<void> {
  if (dataSource.isInitialized) return;
  const schema = config.databaseUrl ? splitSchema(config.databaseUrl) : undefined;
  if (schema?.schema) await ensureSchema(schema.url, schema.schema);
  // Concurrent callers (projections, subscribers, queries) may race to connect: the first wins.
  if (!dataSource.isInitialized) await dataSource.initialize().catch((error: unknown) => {
    if (!dataSource.isInitialized) throw error;
  });
}

function sqliteReadModel(dataDir: string, entities: readonly EntityTarget[]): DataSource {
  return new DataSource({
    type: 'better-sqlite3',
    database: join(dataDir, 'read-model.db'),
    entities: [...entities],
    enableWAL: true,
    // LIKE is case-insensitive in SQLite by default; the text queries need PostgreSQL's semantics.
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      db.pragma('case_sensitive_like = ON');
      db.pragma('busy_timeout = 5000');
    },
  });
}

function postgresReadModel(databaseUrl: string, entities: readonly EntityTarget[]): DataSource {
  const { url, schema } = splitSchema(databaseUrl);
  return new DataSource({
    type: 'postgres',
    url,
    ...(schema ? { schema } : {}),
    entities: [...entities],
    poolSize: 10,
    applicationName: READ_MODEL_APPLICATION_NAME,
  });
}

async function ensureSchema(url: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${client.escapeIdentifier(schema)}`);
  } finally {
    await client.end();
  }
}
