import Database from 'better-sqlite3';
import type { EventToAppend } from '@app/event-store';
import { ProjectionEngine, projectionEngineEntities } from './projection-engine';
import { COUNTED_TYPE, CountingProjection, StreamCountEntity } from './testing/counting-projection';
import { ReadModelDatabase } from './testing/read-model-database';

/** Like the service's read model: a 5 s busy timeout, which better-sqlite3 waits out synchronously. */
const serviceLikeOptions = {
  prepareDatabase: (db: { pragma(source: string): unknown }) => {
    db.pragma('busy_timeout = 5000');
  },
};

describe('ProjectionEngine on a SQLite read model whose write lock another connection holds', () => {
  let database: ReadModelDatabase;
  let holder: Database.Database;
  let engine: ProjectionEngine;

  beforeEach(async () => {
    database = await ReadModelDatabase.create('sqlite');
  });

  afterEach(async () => {
    await engine?.stop();
    if (holder?.inTransaction) holder.exec('ROLLBACK');
    holder?.close();
    await database.drop();
  });

  async function setUp(sqliteLockWaitMs?: number) {
    const store = await database.openEventStore();
    const projection = new CountingProjection();
    const dataSource = await database.open(projectionEngineEntities([projection]), serviceLikeOptions);
    engine = new ProjectionEngine(store, dataSource, [projection], { pollIntervalMs: 60_000, sqliteLockWaitMs });
    await engine.init();
    const events: EventToAppend[] = Array.from({ length: 3 }, (_, index) => ({ type: COUNTED_TYPE, data: { index }, tenant: 't' }));
    await store.append('counter-a', events, { expectedRevision: 'any' });
    holder = new Database(database.sqliteFile);
    holder.exec('BEGIN IMMEDIATE');
    return dataSource;
  }

  it('waits for the lock without freezing the process: timers keep firing, and the batch commits once the lock is released', async () => {
    const dataSource = await setUp();
    let releasedAt: number | undefined;
    setTimeout(() => {
      holder.exec('COMMIT');
      releasedAt = Date.now();
    }, 100);
    let lastTick = Date.now();
    let longestStall = 0;
    const ticker = setInterval(() => {
      longestStall = Math.max(longestStall, Date.now() - lastTick);
      lastTick = Date.now();
    }, 5);

    try {
      await engine.catchUp();
    } finally {
      clearInterval(ticker);
    }
    const caughtUpAt = Date.now();

    // A synchronous busy wait would stall the loop for the connection's whole 5 s busy timeout.
    expect(longestStall).toBeLessThan(2500);
    expect(releasedAt).toBeDefined();
    expect(caughtUpAt).toBeGreaterThanOrEqual(releasedAt!);
    const counts = await dataSource.getRepository(StreamCountEntity).find();
    expect(counts).toEqual([expect.objectContaining({ stream: 'counter-a', count: 3 })]);
  });

  it('gives up with the busy error after sqliteLockWaitMs, and keeps the connection busy timeout as configured', async () => {
    const dataSource = await setUp(150);
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 10);
    try {
      await expect(engine.catchUp()).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    } finally {
      clearInterval(ticker);
    }
    // The process kept running while it waited (a frozen loop would not have ticked at all).
    expect(ticks).toBeGreaterThan(3);

    holder.exec('ROLLBACK');
    await engine.catchUp();
    const counts = await dataSource.getRepository(StreamCountEntity).find();
    expect(counts).toEqual([expect.objectContaining({ count: 3 })]);
    const timeouts: unknown = await dataSource.query('PRAGMA busy_timeout');
    expect(timeouts).toEqual([{ timeout: 5000 }]);
  });
});
