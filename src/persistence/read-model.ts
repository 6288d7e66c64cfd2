import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { BackgroundCheckpointer } from '@app/event-store';
import { DataSource, type DataSourceOptions } from 'typeorm';
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
  const file = join(dataDir, 'read-model.db');
  return new SqliteReadModel(file, {
    type: 'better-sqlite3',
    database: file,
    entities: [...entities],
    enableWAL: true,
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      // LIKE is case-insensitive in SQLite by default; the text queries need PostgreSQL's semantics.
      db.pragma('case_sensitive_like = ON');
      db.pragma('busy_timeout = 5000');
      // No fsync per commit: a power cut can lose the last commits, never tear one, and what is
      // lost is re-derived (projections re-reduce from their checkpoint, subscribers redeliver).
      db.pragma('synchronous = NORMAL');
      // Checkpoints run in SqliteReadModel's thread, never inside a projection or subscriber commit.
      db.pragma('wal_autocheckpoint = 0');
    },
  });
}

/**
 * The SQLite read model, with the event store's background WAL checkpointer: SQLite would
 * otherwise checkpoint inside whichever commit crosses 1,000 WAL pages, freezing the process
 * (better-sqlite3 is synchronous) while pages are copied.
 */
class SqliteReadModel extends DataSource {
  private checkpointer: BackgroundCheckpointer | undefined;

  constructor(
    private readonly file: string,
    options: DataSourceOptions,
  ) {
    super(options);
  }

  override async initialize(): Promise<this> {
    // Readable by the service's user only; SQLite gives the -wal and -shm files the same mode.
    closeSync(openSync(this.file, 'a', 0o600));
    await super.initialize();
    this.checkpointer ??= new BackgroundCheckpointer(this.file, READ_MODEL_CHECKPOINT_MS);
    return this;
  }

  override async destroy(): Promise<void> {
    const checkpointer = this.checkpointer;
    this.checkpointer = undefined;
    await checkpointer?.stop();
    await super.destroy();
  }
}

const READ_MODEL_CHECKPOINT_MS = 100;

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
  // Loaded here, not at the top: a service on SQLite never needs pg.
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${client.escapeIdentifier(schema)}`);
  } finally {
    await client.end();
  }
}
