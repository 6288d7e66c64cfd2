import { SqliteEventStore, type EventStore } from '@app/event-store';
import { PostgresEventStore } from '@app/event-store/adapters/postgres/postgres-event-store';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { DataSourceOptions } from 'typeorm';
import { openRawBaseline, type RawBaseline } from './raw-baseline';

export type AdapterName = 'sqlite' | 'postgres';

/** A store on fresh storage, plus the read-model database options for the projection bench. */
export interface BenchTarget {
  store: EventStore;
  dataSourceOptions: DataSourceOptions;
  describe: string;
  /** The raw INSERT baseline on the same storage (same directory, or same server and schema). */
  openRawBaseline(): Promise<RawBaseline>;
  cleanup(): Promise<void>;
}

export const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function openTarget(adapter: AdapterName): Promise<BenchTarget> {
  return adapter === 'sqlite' ? openSqlite() : openPostgres();
}

async function openSqlite(): Promise<BenchTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-store-'));
  const store = new SqliteEventStore({ file: join(dir, 'events.db') });
  await store.init();
  return {
    store,
    describe: `SQLite file in ${dir} (WAL, synchronous=NORMAL)`,
    dataSourceOptions: { type: 'better-sqlite3', database: join(dir, 'read-model.db') },
    openRawBaseline: () => openRawBaseline('sqlite', { dir }),
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openPostgres(): Promise<BenchTarget> {
  const schema = `bench_store_${randomBytes(6).toString('hex')}`;
  const store = new PostgresEventStore({ connection: databaseUrl, schema, applicationName: schema });
  await store.init();
  return {
    store,
    describe: `PostgreSQL schema ${schema} at ${new URL(databaseUrl).host}`,
    dataSourceOptions: { type: 'postgres', url: databaseUrl, schema },
    openRawBaseline: () => openRawBaseline('postgres', { databaseUrl, schema }),
    async cleanup() {
      await store.close();
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
