import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from './sqlite-event-store';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('SqliteEventStore WAL checkpoints in a background thread', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'checkpoints-'));
    file = join(dir, 'events.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function appendMany(store: SqliteEventStore, count: number): Promise<void> {
    for (let index = 0; index < count; index += 1) {
      await store.append(`stream-${index % 100}`, [{ type: 'thing.happened', data: { index, padding: 'x'.repeat(200) }, tenant: 't' }], { expectedRevision: 'any' });
    }
  }

  it('copies appended events into the database file on its own, and catches up with the WAL', async () => {
    const store = new SqliteEventStore({ file, backgroundCheckpointMs: 10 });
    await store.init();
    const sizeBefore = statSync(file).size;
    await appendMany(store, 2_000);
    // Far below the 10,000 WAL pages at which an append would checkpoint by itself.
    for (let waited = 0; statSync(file).size === sizeBefore && waited < 5_000; waited += 20) await sleep(20);
    expect(statSync(file).size).toBeGreaterThan(sizeBefore);

    await sleep(200);
    const observer = new Database(file, { readonly: true });
    try {
      // Nothing left to copy: the background thread has checkpointed every frame.
      const [{ log, checkpointed }] = observer.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
      expect(checkpointed).toBe(log);
    } finally {
      observer.close();
    }
    expect((await store.readAll({ maxCount: 5_000 })).events).toHaveLength(2_000);
    await store.close();
  });

  it('leaves checkpoints to the appends when turned off', async () => {
    const store = new SqliteEventStore({ file, backgroundCheckpointMs: false });
    await store.init();
    const sizeBefore = statSync(file).size;
    await appendMany(store, 500);
    await sleep(300);
    expect(statSync(file).size).toBe(sizeBefore);
    await store.close();
  });
});
