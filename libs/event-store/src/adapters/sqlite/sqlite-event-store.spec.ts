import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEventStoreContract } from '../../contract/event-store.contract';
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
