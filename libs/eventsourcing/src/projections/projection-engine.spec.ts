import type { EventToAppend } from '@app/event-store';
import { ProjectionWaitTimeoutError, UnknownProjectionError } from './errors';
import { ProjectionEngine, projectionEngineEntities, type ProjectionEngineOptions } from './projection-engine';
import { COUNTED_TYPE, CountingProjection, ReducedEventEntity, StreamCountEntity } from './testing/counting-projection';
import { countingStore, type CountingStore } from './testing/counting-store';
import { untilVisible } from './testing/until-visible';
import { ReadModelDatabase, type ReadModelKind } from './testing/read-model-database';

const OTHER_TYPE = 'unrelated.happened';

describe.each<ReadModelKind>(['sqlite', 'postgres'])('ProjectionEngine with %s (event store and read model)', (kind) => {
  let database: ReadModelDatabase;
  let store: CountingStore;
  let engines: ProjectionEngine[];

  beforeEach(async () => {
    database = await ReadModelDatabase.create(kind);
    store = countingStore(await database.openEventStore());
    engines = [];
  });

  afterEach(async () => {
    await Promise.all(engines.map((engine) => engine.stop()));
    await database.drop();
  });

  async function engineFor(projection: CountingProjection, options: ProjectionEngineOptions = {}): Promise<ProjectionEngine> {
    const dataSource = await database.open(projectionEngineEntities([projection]));
    const engine = new ProjectionEngine(store, dataSource, [projection], { pollIntervalMs: 60_000, ...options });
    engines.push(engine);
    await engine.init();
    return engine;
  }

  /** Appends `count` events of `type` to `stream`; resolves once readers can see them. */
  async function append(stream: string, count: number, type = COUNTED_TYPE): Promise<number> {
    const events: EventToAppend[] = Array.from({ length: count }, (_, index) => ({ type, data: { index }, tenant: 'tenant-1' }));
    return untilVisible(store, (await store.append(stream, events, { expectedRevision: 'any' })).position);
  }

  async function readModel(engine: ProjectionEngine) {
    // Read through a separate connection so only committed rows count.
    const reader = await database.open(projectionEngineEntities([new CountingProjection()]));
    const counts = await reader.getRepository(StreamCountEntity).find({ order: { stream: 'ASC' } });
    const reduced = await reader.getRepository(ReducedEventEntity).find({ order: { position: 'ASC' } });
    const status = await engine.status();
    await reader.destroy();
    return { counts, reduced, status, position: status.projections[0].position };
  }

  it('reduces the log into rows and reports its checkpoint', async () => {
    await append('counter-a', 3);
    await append('counter-b', 2);
    const head = await append('counter-a', 1);
    const engine = await engineFor(new CountingProjection(), { batchSize: 2 });

    await engine.catchUp();

    const { counts, reduced, status } = await readModel(engine);
    expect(counts.map(({ stream, count }) => ({ stream, count }))).toEqual([
      { stream: 'counter-a', count: 4 },
      { stream: 'counter-b', count: 2 },
    ]);
    expect(reduced).toHaveLength(6);
    const lastEvent = (await store.readAll({ fromPosition: head })).events[0];
    expect(status.headPosition).toBe(head);
    expect(status.projections).toEqual([
      expect.objectContaining({
        name: 'stream-counts',
        position: head,
        lag: 0,
        eventsProcessed: 6,
        errorCount: 0,
        lastError: null,
        lastEventAt: lastEvent.createdAt,
      }),
    ]);
  });

  it('commits rows and checkpoint together: a failing batch leaves both unchanged, then resumes exactly once', async () => {
    await append('counter-a', 10);
    const projection = new CountingProjection();
    const engine = await engineFor(projection, { batchSize: 4 });
    const positions = (await store.readAll()).events.map((event) => event.position);
    projection.failWhen = (event) => event.position === positions[5];

    await expect(engine.catchUp()).rejects.toThrow(`Cannot reduce event at position ${positions[5]}`);

    const failed = await readModel(engine);
    // The first batch (events 1-4) committed; the second wrote events 5 and 6's rows, then threw.
    expect(failed.reduced.map((row) => row.position)).toEqual(positions.slice(0, 4));
    expect(failed.counts).toEqual([{ stream: 'counter-a', count: 4, lastPosition: positions[3] }]);
    expect(failed.position).toBe(positions[3]);
    expect(failed.status.projections[0]).toMatchObject({ errorCount: 1, eventsProcessed: 4 });
    expect(failed.status.projections[0].lastError).toContain(`Cannot reduce event at position ${positions[5]}`);

    projection.failWhen = undefined;
    await engine.catchUp();

    const healed = await readModel(engine);
    expect(healed.reduced.map((row) => row.position)).toEqual(positions);
    expect(healed.counts).toEqual([{ stream: 'counter-a', count: 10, lastPosition: positions[9] }]);
    expect(healed.position).toBe(positions[9]);
    expect(healed.status.projections[0]).toMatchObject({ errorCount: 0, eventsProcessed: 10 });
  });

  it('resumes from its checkpoint after a restart without re-applying events', async () => {
    await append('counter-a', 5);
    await (await engineFor(new CountingProjection())).catchUp();

    const restarted = new CountingProjection();
    const engine = await engineFor(restarted);
    await engine.catchUp();
    expect(restarted.eventsSeen).toBe(0);

    await append('counter-a', 2);
    await engine.catchUp();
    expect(restarted.eventsSeen).toBe(2);
    const { counts, reduced } = await readModel(engine);
    expect(counts[0].count).toBe(7);
    expect(reduced).toHaveLength(7);
  });

  it('reduces every event exactly once when two engines run concurrently on one database', async () => {
    for (let stream = 0; stream < 20; stream += 1) await append(`counter-${stream}`, 60);
    const first = new CountingProjection('first');
    const second = new CountingProjection('second');
    const [engineA, engineB] = [await engineFor(first, { batchSize: 25 }), await engineFor(second, { batchSize: 25 })];

    await Promise.all([engineA.catchUp(), engineB.catchUp(), engineA.start(), engineB.start()]);
    await Promise.all([append('counter-0', 40), append('counter-1', 40)]);
    await Promise.all([engineA.catchUp(), engineB.catchUp()]);

    const { counts, reduced, position } = await readModel(engineA);
    const eventIds = reduced.map((row) => row.eventId);
    expect(reduced).toHaveLength(1280);
    expect(new Set(eventIds).size).toBe(1280);
    expect(counts.reduce((sum, row) => sum + row.count, 0)).toBe(1280);
    expect(position).toBe(await store.headPosition());
    // Batches that committed were seen by exactly one engine each.
    expect(reduced.filter((row) => row.reducedBy === 'first')).toHaveLength(first.eventsSeen);
    expect(reduced.filter((row) => row.reducedBy === 'second')).toHaveLength(second.eventsSeen);
  });

  it('gives read-your-writes: rows of an append are visible as soon as catchUp resolves', async () => {
    const engine = await engineFor(new CountingProjection());
    for (let round = 1; round <= 3; round += 1) {
      await append('counter-a', 1);
      await engine.catchUp('stream-counts');
      const { counts } = await readModel(engine);
      expect(counts[0].count).toBe(round);
    }
  });

  it('shares one catch-up among concurrent callers and costs one head query when caught up', async () => {
    const projection = new CountingProjection();
    const engine = await engineFor(projection);
    await append('counter-a', 1);
    const before = { ...store.calls };

    await Promise.all(Array.from({ length: 50 }, () => engine.catchUp()));

    expect(projection.batches).toBe(1);
    expect(store.calls.headPosition - before.headPosition).toBeLessThanOrEqual(2);
    const idle = { ...store.calls };
    await engine.catchUp();
    expect(store.calls).toEqual({ headPosition: idle.headPosition + 1, readAll: idle.readAll });
    expect(projection.batches).toBe(1);
  });

  it('follows appends in live mode without catchUp, and stops', async () => {
    const engine = await engineFor(new CountingProjection());
    await engine.start();
    await append('counter-a', 3);

    await eventually(async () => expect((await readModel(engine)).counts).toEqual([expect.objectContaining({ count: 3 })]));
    expect((await engine.status()).live).toBe(true);

    await engine.stop();
    await append('counter-a', 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await readModel(engine)).counts[0].count).toBe(3);
    expect((await engine.status()).live).toBe(false);
  });

  it('records live failures, retries with backoff and recovers with exactly-once effects', async () => {
    const projection = new CountingProjection();
    let failuresLeft = 3;
    projection.failWhen = () => failuresLeft-- > 0;
    const engine = await engineFor(projection, { retryDelay: { initialMs: 10, maxMs: 40 } });
    await append('counter-a', 5);

    await engine.start();

    await eventually(async () => expect((await readModel(engine)).counts).toEqual([expect.objectContaining({ count: 5 })]));
    const { reduced, status } = await readModel(engine);
    expect(reduced).toHaveLength(5);
    expect(status.projections[0]).toMatchObject({ errorCount: 0, eventsProcessed: 5 });
    expect(status.projections[0].lastError).toContain('Cannot reduce event');
    expect(status.projections[0].lastErrorAt).toBeInstanceOf(Date);
  });

  it('tells its observer about every committed batch and every failure', async () => {
    await append('counter-a', 5);
    const projection = new CountingProjection();
    const batches: Array<{ projection: string; events: number; position: number; durationMs: number }> = [];
    const failures: Array<{ projection: string; position: number; message: string }> = [];
    const engine = await engineFor(projection, {
      batchSize: 2,
      observer: {
        onBatch: (info) => batches.push(info),
        onFailure: (info) => failures.push({ projection: info.projection, position: info.position, message: String(info.error) }),
      },
    });
    const positions = (await store.readAll()).events.map((event) => event.position);
    projection.failWhen = (event) => event.position === positions[3];

    await expect(engine.catchUp()).rejects.toThrow('Cannot reduce event');
    projection.failWhen = undefined;
    await engine.catchUp();

    expect(failures).toEqual([{ projection: 'stream-counts', position: positions[1], message: expect.stringContaining('Cannot reduce event') }]);
    expect(batches.map(({ projection: name, events, position }) => ({ name, events, position }))).toEqual([
      { name: 'stream-counts', events: 2, position: positions[1] },
      { name: 'stream-counts', events: 2, position: positions[3] },
      { name: 'stream-counts', events: 1, position: positions[4] },
    ]);
    expect(batches.every((batch) => batch.durationMs >= 0)).toBe(true);
  });

  it('lets timers run while it catches up through many batches', async () => {
    for (let stream = 0; stream < 10; stream += 1) await append(`counter-${stream}`, 100);
    const projection = new CountingProjection();
    const engine = await engineFor(projection, { batchSize: 50 });
    let timerFiredAtBatch: number | undefined;
    setTimeout(() => (timerFiredAtBatch = projection.batches), 1);

    await engine.catchUp();

    expect(projection.batches).toBe(20);
    expect(timerFiredAtBatch).toBeDefined();
    expect(timerFiredAtBatch!).toBeLessThan(20);
  });

  it('moves the checkpoint past events of types it does not handle', async () => {
    await append('counter-a', 2);
    const head = await append('other', 30, OTHER_TYPE);
    const projection = new CountingProjection();
    const engine = await engineFor(projection, { batchSize: 5 });

    await engine.catchUp();

    const { position, counts, status } = await readModel(engine);
    expect(position).toBe(head);
    expect(status.projections[0].lag).toBe(0);
    expect(counts[0].count).toBe(2);
    expect(projection.eventsSeen).toBe(2);

    // Caught up through the filtered tail: nothing left to read.
    const reads = store.calls.readAll;
    await engine.catchUp();
    expect(store.calls.readAll).toBe(reads);
  });

  it('waits for a given position, and times out on one the log does not have', async () => {
    const engine = await engineFor(new CountingProjection());
    const position = await append('counter-a', 2);

    await engine.waitForPosition(position);
    expect((await readModel(engine)).counts[0].count).toBe(2);

    await expect(engine.waitForPosition(position + 1000, { timeoutMs: 50 })).rejects.toBeInstanceOf(ProjectionWaitTimeoutError);
    await expect(engine.catchUp('no-such-projection')).rejects.toBeInstanceOf(UnknownProjectionError);
  });

  it('lets several engines create the schema at the same time', async () => {
    await append('counter-a', 3);
    const projections = [new CountingProjection('first'), new CountingProjection('second'), new CountingProjection('third')];
    const sources = await Promise.all(projections.map((projection) => database.open(projectionEngineEntities([projection]))));
    const started = sources.map((source, index) => new ProjectionEngine(store, source, [projections[index]]));
    engines.push(...started);

    await Promise.all(started.map((engine) => engine.init()));
    await Promise.all(started.map((engine) => engine.catchUp()));

    const { reduced } = await readModel(started[0]);
    expect(reduced).toHaveLength(3);
  });

  it('notices in live mode that another engine reset the projection, and rebuilds it', async () => {
    await append('counter-a', 4);
    const live = await engineFor(new CountingProjection('live'), { pollIntervalMs: 50 });
    await live.start();
    await live.catchUp();
    const operator = await engineFor(new CountingProjection('operator'));

    await operator.reset('stream-counts');

    await eventually(async () => expect((await readModel(live)).reduced.map((row) => row.reducedBy)).toEqual(['live', 'live', 'live', 'live']));
  });

  it('rebuilds a projection from the whole log after a reset', async () => {
    await append('counter-a', 4);
    const projection = new CountingProjection();
    const engine = await engineFor(projection);
    await engine.catchUp();

    await engine.reset('stream-counts');
    const emptied = await readModel(engine);
    expect(emptied.counts).toEqual([]);
    expect(emptied.position).toBe(0);

    await engine.catchUp();
    const rebuilt = await readModel(engine);
    expect(rebuilt.counts[0].count).toBe(4);
    expect(rebuilt.reduced).toHaveLength(4);
  });
});

async function eventually(assertion: () => Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
