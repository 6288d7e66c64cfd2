import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { EntityTarget } from '../projection';

export type ReadModelKind = 'sqlite' | 'postgres';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A private read-model database for one test file: a temp SQLite file, or a fresh PostgreSQL
 * schema. `open` gives a DataSource (several may be opened, like replicas); `drop` closes
 * them and removes the database.
 */
export class ReadModelDatabase {
  private readonly sources: DataSource[] = [];

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

  async open(entities: readonly EntityTarget[]): Promise<DataSource> {
    const source = await new DataSource(this.options(entities)).initialize();
    this.sources.push(source);
    return source;
  }

  /** A path for an event-store file next to the read model (SQLite runs). */
  file(name: string): string {
    if (this.kind !== 'sqlite') throw new Error('Only SQLite read models live in a directory');
    return join(this.location, name);
  }

  async drop(): Promise<void> {
    await Promise.all(this.sources.splice(0).map((source) => (source.isInitialized ? source.destroy() : undefined)));
    if (this.kind === 'sqlite') rmSync(this.location, { recursive: true, force: true });
    else await withClient((client) => client.query(`DROP SCHEMA ${this.location} CASCADE`));
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
