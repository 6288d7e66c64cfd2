import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { SqliteEventStore, type EventStore } from '@app/event-store';
import { PostgresEventStore } from '@app/event-store/adapters/postgres/postgres-event-store';
import type { EntityTarget } from '../projection';

export type ReadModelKind = 'sqlite' | 'postgres';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A private read-model database for one test: a temp SQLite file, or a fresh PostgreSQL
 * schema. `open` gives a DataSource (several may be opened, like replicas), `openEventStore`
 * an event store of the same kind beside it (own file or schema); `drop` closes them all and
 * removes the data.
 */
export class ReadModelDatabase {
  private readonly sources: DataSource[] = [];
  private store: EventStore | undefined;

  private constructor(
    readonly kind: ReadModelKind,
    private readonly location: string,
  ) {}

  static async create(kind: ReadModelKind): Promise<ReadModelDatabase> {
    if (kind === 'sqlite') return new ReadModelDatabase(kind, mkdtempSync(join(tmpdir(), 'read-model-')));
    const schema = `rm_${randomBytes(6).toString('hex')}`;
    await withClient((client) => client.query(`CREATE SCHEMA ${schema}`));
    return new ReadModelDatabase(kind, schema);
  }

  options(entities: readonly EntityTarget[]): DataSourceOptions {
    if (this.kind === 'sqlite') {
      return { type: 'better-sqlite3', database: join(this.location, 'read-model.db'), enableWAL: true, entities: [...entities] };
    }
    return { type: 'postgres', url: TEST_DATABASE_URL, schema: this.location, entities: [...entities], poolSize: 4 };
  }

  /** SQLite: the read-model file (other namespaces, e.g. rebuild files, sit beside it). */
  get sqliteFile(): string {
    if (this.kind !== 'sqlite') throw new Error('Not a SQLite read model');
    return join(this.location, 'read-model.db');
  }

  /** PostgreSQL: the read model's schema. */
  get schema(): string {
    if (this.kind !== 'postgres') throw new Error('Not a PostgreSQL read model');
    return this.location;
  }

  async open(entities: readonly EntityTarget[], overrides: Partial<DataSourceOptions> = {}): Promise<DataSource> {
    const source = await new DataSource({ ...this.options(entities), ...overrides } as DataSourceOptions).initialize();
    this.sources.push(source);
    return source;
  }

  /** The event store of this test: SQLite in its own file, or PostgreSQL in its own schema. */
  async openEventStore(): Promise<EventStore> {
    if (this.store) return this.store;
    this.store =
      this.kind === 'sqlite'
        ? new SqliteEventStore({ file: join(this.location, 'events.db') })
        : new PostgresEventStore({ connection: TEST_DATABASE_URL, schema: this.logSchema(), poolSize: 4 });
    await this.store.init();
    return this.store;
  }

  async drop(): Promise<void> {
    await Promise.all(this.sources.splice(0).map((source) => (source.isInitialized ? source.destroy() : undefined)));
    await this.store?.close();
    if (this.kind === 'sqlite') rmSync(this.location, { recursive: true, force: true });
    else {
      // The read model's schema, the log's and any rebuild schema beside them (same prefix).
      await withClient(async (client) => {
        const { rows } = await client.query<{ name: string }>(`SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE $1`, [`${this.location}%`]);
        for (const { name } of rows) await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(name)} CASCADE`);
      });
    }
  }

  private logSchema(): string {
    return `${this.location}_log`;
  }
}

async function withClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
