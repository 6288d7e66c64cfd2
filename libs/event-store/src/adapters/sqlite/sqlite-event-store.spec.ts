import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEventStoreContract } from '../../contract/event-store.contract';
import { SCHEMA_SQL, SQL } from './sqlite-schema';
import { SqliteEventStore } from './sqlite-event-store';

describeEventStoreContract(
  'sqlite',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'event-store-'));
    const file = join(dir, 'events.db');
    const open = async (): Promise<SqliteEventStore> => {
      const store = new SqliteEventStore({ file, foreignWritePollMs: 50 });
      await store.init();
      return store;
    };
    const store = await open();
    return {
      store,
      openAnother: open,
      cleanup: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  {
    heldTransactions: 'SQLite has a single writer: an open write transaction blocks every other append, so no later append can commit first',
    droppedConnections: 'SQLite is an embedded file with no connection to drop',
  },
);

describe('sqlite group commit', () => {
  /** WAL frames written since the file was created (no checkpoint runs: 20 appends stay far below 10,000 pages). */
  async function walFramesAfter(work: (store: SqliteEventStore) => Promise<unknown>): Promise<number> {
    const dir = mkdtempSync(join(tmpdir(), 'event-store-group-'));
    const file = join(dir, 'events.db');
    const store = new SqliteEventStore({ file, backgroundCheckpointMs: false });
    try {
      await store.init();
      const before = statSync(`${file}-wal`).size;
      await work(store);
      return (statSync(`${file}-wal`).size - before) / (4096 + 24);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const append = (store: SqliteEventStore, i: number) => store.append(`group-${i}`, [{ type: 'group.e', tenant: 't', data: { i } }], { expectedRevision: 'no_stream' });

  it('writes the appends made in one turn of the event loop after its first in one commit', async () => {
    const oneByOne = await walFramesAfter(async (store) => {
      for (let i = 0; i < 20; i += 1) await append(store, i);
    });
    const together = await walFramesAfter((store) => Promise.all(Array.from({ length: 20 }, (_, i) => append(store, i))));
    // Each commit rewrites the pages it touched (the table's and both indexes' last pages).
    expect(oneByOne).toBeGreaterThanOrEqual(20 * 3);
    expect(together).toBeLessThanOrEqual(12);
  });

  it('commits what was accepted before closing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'event-store-group-'));
    const file = join(dir, 'events.db');
    try {
      const store = new SqliteEventStore({ file });
      await store.init();
      const pending = Array.from({ length: 5 }, (_, i) => append(store, i));
      await store.close();
      expect((await Promise.all(pending)).map((result) => result.nextExpectedRevision)).toEqual([0, 0, 0, 0, 0]);
      const reopened = new SqliteEventStore({ file });
      await reopened.init();
      expect((await reopened.readAll()).events).toHaveLength(5);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('sqlite log reads', () => {
  /**
   * Run in a process of its own (the test runner's heap and other suites would blur the
   * figure): replays the whole log at `file` in pages and prints the largest growth of the
   * resident set less the JavaScript heap, i.e. native memory such as SQLite's page caches.
   */
  const REPLAY_SCRIPT = `
    const { transformFileSync } = require('@swc/core');
    require.extensions['.ts'] = (module, file) => module._compile(transformFileSync(file, { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }).code, file);
    const { SqliteEventStore } = require(process.argv[1]);
    (async () => {
      const store = new SqliteEventStore({ file: process.argv[2] });
      await store.init();
      const native = () => { const usage = process.memoryUsage(); return usage.rss - usage.heapTotal; };
      const before = native();
      let read = 0;
      let growth = 0;
      for (let from = 0; ; ) {
        const page = await store.readAll({ fromPosition: from, maxCount: 200 });
        read += page.events.length;
        growth = Math.max(growth, native() - before);
        if (page.isEnd) break;
        from = page.nextPosition;
      }
      await store.close();
      process.stdout.write(JSON.stringify({ read, growth }));
    })();
  `;

  it('replays a log larger than the page cache without keeping its pages in memory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'event-store-scan-'));
    const file = join(dir, 'events.db');
    try {
      // ~96 MiB of events, written straight into the file (appending them one by one takes minutes).
      const raw = new Database(file);
      raw.exec(SCHEMA_SQL);
      const payload = JSON.stringify({ text: 'x'.repeat(900) });
      const insert = raw.prepare(SQL.insert);
      raw.transaction(() => {
        for (let i = 0; i < 100_000; i += 1) insert.run(`id-${i}`, `scan-${i}`, 0, 'scan.e', payload, '{}', 't', 0);
      })();
      raw.close();

      const output = execFileSync(process.execPath, ['-e', REPLAY_SCRIPT, require.resolve('./sqlite-event-store.ts'), file], { encoding: 'utf8' });
      const { read, growth } = JSON.parse(output) as { read: number; growth: number };
      expect(read).toBe(100_000);
      // The appends' 64 MiB page cache would fill up with pages read once each (~80 MiB
      // measured before log reads had their own connection); their own cache holds 4 MiB.
      expect(growth).toBeLessThan(32 * 2 ** 20);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
