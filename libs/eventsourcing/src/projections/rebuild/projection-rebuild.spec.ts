import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { EventStore, EventToAppend, StoredEvent } from '@app/event-store';
import type { DataSource } from 'typeorm';
import { RebuildInProgressError } from '../errors';
import { ProjectionEngine, projectionEngineEntities, type ProjectionEngineOptions } from '../projection-engine';
import { COUNTED_TYPE, CountingProjection, ReducedEventEntity, StreamCountEntity } from '../testing/counting-projection';
import { ReadModelDatabase, type ReadModelKind } from '../testing/read-model-database';
import { untilVisible } from '../testing/until-visible';
import type { RebuildProgress } from './rebuild-progress';

const PROJECTION = 'stream-counts';

describe.each<ReadModelKind>(['sqlite', 'postgres'])('ProjectionEngine.rebuild on %s', (kind) => {
  let database: ReadModelDatabase;
  let store: EventStore;
  let engines: ProjectionEngine[];

  beforeEach(async () => {
    database = await ReadModelDatabase.create(kind);
    store = await database.openEventStore();
    engines = [];
  });

  afterEach(async () => {
    await Promise.all(engines.map((engine) => engine.stop()));
    await database.drop();
  });

  /** An engine on its own DataSource, as in another process: the service, or an operator's command line. */
  async function engineFor(projection: CountingProjection, options: ProjectionEngineOptions = {}): Promise<ProjectionEngine> {
    const dataSource = await database.open(projectionEngineEntities([projection]));
    const engine = new ProjectionEngine(store, dataSource, [projection], { pollIntervalMs: 50, ...options });
    engines.push(engine);
    await engine.init();
    return engine;
  }

  /** Appends and resolves once readers (and so catchUp) can see the events. */
  async function append(stream: string, count: number): Promise<number> {
    const events: EventToAppend[] = Array.from({ length: count }, (_, index) => ({ type: COUNTED_TYPE, data: { index }, tenant: 'tenant-1' }));
    return untilVisible(store, (await store.append(stream, events, { expectedRevision: 'any' })).position);
  }

  async function appendStreams(streams: number, perStream: number): Promise<void> {
    for (let stream = 0; stream < streams; stream += 1) await append(`counter-${stream}`, perStream);
  }

  /** Keeps appending small batches until stopped, like the service's users; stop() gives the last position. */
  function keepAppending(): { stop: () => Promise<number> } {
    let running = true;
    let appended = 0;
    let lastPosition = 0;
    const loop = (async () => {
      while (running) {
        lastPosition = await append(`live-${appended % 7}`, 2);
        appended += 2;
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        return lastPosition;
      },
    };
  }

  /**
   * Waits for the service to reduce `position` and stops it. Not catchUp(): on PostgreSQL the
   * head excludes events committed behind a transaction still open (such as a batch of the
   * service itself), so a head read right after an append may not show it yet.
   */
  async function settle(service: ProjectionEngine, position: number): Promise<void> {
    await service.waitForPosition(position);
    await service.stop();
  }

  async function countedEvents(): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    for (let from = 0; ; ) {
      const page = await store.readAll({ fromPosition: from, maxCount: 1000, filter: { types: [COUNTED_TYPE] } });
      events.push(...page.events);
      from = page.nextPosition;
      if (page.isEnd) return events;
    }
  }

  /** The live tables, read through a separate connection (committed rows only). */
  async function liveTables() {
    const reader = await database.open(projectionEngineEntities([new CountingProjection()]));
    try {
      const counts = await reader.getRepository(StreamCountEntity).find({ order: { stream: 'ASC' } });
      const reduced = await reader.getRepository(ReducedEventEntity).find({ order: { position: 'ASC' } });
      return { counts, reduced };
    } finally {
      await reader.destroy();
    }
  }

  /** What a replay of the whole log from scratch gives. */
  async function fromScratch() {
    const events = await countedEvents();
    const perStream = new Map<string, { count: number; lastPosition: number }>();
    for (const event of events) {
      const row = perStream.get(event.stream) ?? { count: 0, lastPosition: 0 };
      perStream.set(event.stream, { count: row.count + 1, lastPosition: event.position });
    }
    const counts = [...perStream]
      .map(([stream, row]) => ({ stream, ...row }))
      .sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
    return { counts, eventIds: events.map((event) => event.id) };
  }

  it('replays into fresh tables while the service keeps appending and projecting, switches over, and the service follows on', async () => {
    await appendStreams(20, 15);
    const service = await engineFor(new CountingProjection('service'));
    await service.start();
    await service.catchUp();
    // Damage the live rows so the test sees that they are replaced, not just extended.
    const tamper = await database.open(projectionEngineEntities([new CountingProjection()]));
    await tamper.getRepository(StreamCountEntity).update({ stream: 'counter-3' }, { count: 999 });
    const operator = await engineFor(new CountingProjection('rebuild'));
    const reports: RebuildProgress[] = [];

    const eventsBefore = (await store.readAll({ maxCount: 100_000 })).events.length;
    const writer = keepAppending();
    const result = await operator.rebuild(PROJECTION, { batchSize: 40, progressIntervalMs: 0, onProgress: (progress) => reports.push(progress) });
    await writer.stop();
    await settle(service, await append('after-switch', 3));

    const expected = await fromScratch();
    const live = await liveTables();
    expect(live.counts).toEqual(expected.counts);
    expect(live.reduced.map((row) => row.eventId).sort()).toEqual([...expected.eventIds].sort());
    // Rows up to the switch come from the replay, later ones from the service's live runner.
    const switchedAt = result.position;
    expect(live.reduced.filter((row) => row.position <= switchedAt).every((row) => row.reducedBy === 'rebuild')).toBe(true);
    expect(live.reduced.filter((row) => row.position > switchedAt).every((row) => row.reducedBy === 'service')).toBe(true);
    expect(live.reduced.some((row) => row.position > switchedAt)).toBe(true);
    const status = (await service.status()).projections[0];
    expect(status).toMatchObject({ position: await store.headPosition(), lag: 0, errorCount: 0, eventsProcessed: expected.eventIds.length });

    expect(result).toMatchObject({ projection: PROJECTION, resumedFrom: 0 });
    expect(result.eventsReduced).toBeGreaterThanOrEqual(300);
    expect(reports[0]).toMatchObject({ projection: PROJECTION, phase: 'replaying', done: 0, eventsReduced: 0 });
    // Progress counts events (the log's, at the start), never positions (sparse on PostgreSQL).
    expect(reports[0].total).toBeGreaterThanOrEqual(eventsBefore);
    expect(reports[0].total).toBeLessThanOrEqual(result.eventsReduced);
    expect(reports.map((report) => report.phase)).toContain('switching');
    const last = reports[reports.length - 1];
    expect(last).toMatchObject({ phase: 'done', etaSeconds: 0, eventsReduced: result.eventsReduced });
    expect(last.done).toBe(last.total);
    expect(last.total).toBeGreaterThan(0);
    for (const report of reports) expect(report.done).toBeLessThanOrEqual(report.total);
    expect(reports.some((report) => report.phase === 'replaying' && report.done > 0 && report.done < report.total && report.eventsPerSecond > 0)).toBe(true);
    expect(await operator.rebuildStatus(PROJECTION)).toBeNull();
  });

  it('resumes an aborted, then a failed rebuild from its checkpoint without reducing events again; fresh starts over', async () => {
    await appendStreams(10, 30);
    const service = await engineFor(new CountingProjection('service'));
    await service.catchUp();
    const before = await liveTables();

    const aborted = new CountingProjection('rebuild');
    const controller = new AbortController();
    const first = await engineFor(aborted);
    const abortedRun = first.rebuild(PROJECTION, {
      batchSize: 25,
      progressIntervalMs: 0,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.eventsReduced >= 100) controller.abort(new Error('operator pressed Ctrl-C'));
      },
    });
    await expect(abortedRun).rejects.toThrow('operator pressed Ctrl-C');
    const afterAbort = await first.rebuildStatus(PROJECTION);
    expect(afterAbort).toMatchObject({ projection: PROJECTION, eventsReduced: 100 });
    expect(afterAbort!.position).toBeGreaterThan(0);
    // The live tables are untouched by an unfinished rebuild.
    expect(await liveTables()).toEqual(before);

    const failing = new CountingProjection('rebuild');
    const positions = (await countedEvents()).map((event) => event.position);
    failing.failWhen = (event) => event.position === positions[210];
    const second = await engineFor(failing);
    await expect(second.rebuild(PROJECTION, { batchSize: 25 })).rejects.toThrow(`Cannot reduce event at position ${positions[210]}`);
    const afterFailure = await second.rebuildStatus(PROJECTION);
    expect(afterFailure).toMatchObject({ eventsReduced: 200, position: positions[199] });
    expect(await liveTables()).toEqual(before);

    const resumed = new CountingProjection('rebuild');
    const result = await (await engineFor(resumed)).rebuild(PROJECTION, { batchSize: 25 });
    expect(result).toMatchObject({ resumedFrom: positions[199], eventsReduced: 300, position: positions[299] });
    expect(resumed.eventsSeen).toBe(100);
    const rebuilt = await liveTables();
    expect(rebuilt.counts).toEqual(before.counts);
    expect(rebuilt.reduced.map((row) => row.eventId)).toEqual(before.reduced.map((row) => row.eventId));

    // An interrupted rebuild can also be thrown away and started over.
    const again = new AbortController();
    await expect(
      (await engineFor(new CountingProjection('rebuild'))).rebuild(PROJECTION, {
        batchSize: 25,
        progressIntervalMs: 0,
        signal: again.signal,
        onProgress: (progress) => progress.eventsReduced >= 50 && again.abort(),
      }),
    ).rejects.toThrow();
    const fresh = new CountingProjection('fresh');
    const freshResult = await (await engineFor(fresh)).rebuild(PROJECTION, { fresh: true, batchSize: 100 });
    expect(freshResult).toMatchObject({ resumedFrom: 0, eventsReduced: 300 });
    expect(fresh.eventsSeen).toBe(300);
  });

  it('fills live tables that were behind, and the live runner then adds rows after the copied ones (generated ids continue)', async () => {
    await appendStreams(5, 20);
    const service = await engineFor(new CountingProjection('service'));
    const operator = await engineFor(new CountingProjection('rebuild'));

    const result = await operator.rebuild(PROJECTION);
    expect(result).toMatchObject({ eventsReduced: 100, resumedFrom: 0 });
    await append('counter-0', 5);
    await service.catchUp();

    const live = await liveTables();
    expect(live.reduced).toHaveLength(105);
    expect(new Set(live.reduced.map((row) => row.id)).size).toBe(105);
    expect(live.reduced.slice(100).every((row) => row.reducedBy === 'service')).toBe(true);
    expect(live.counts).toEqual((await fromScratch()).counts);
  });

  it('never shows readers an empty, partial or mixed read model during the switch', async () => {
    await appendStreams(30, 20);
    const service = await engineFor(new CountingProjection('service'));
    await service.start();
    await service.catchUp();
    const minimum = (await liveTables()).reduced.length;
    const operator = await engineFor(new CountingProjection('rebuild'));
    const reader = await startReader();

    const writer = keepAppending();
    const result = await operator.rebuild(PROJECTION, { batchSize: 100 });
    await settle(service, await writer.stop());
    // PostgreSQL lets the switch wait for the rebuild with the live checkpoint locked, so a live
    // projection that keeps moving never sends it round again.
    if (kind === 'postgres') expect(result.switchAttempts).toBe(1);
    const summary = await reader.stop();

    expect(summary.reads).toBeGreaterThan(0);
    expect(summary.inconsistent).toEqual([]);
    expect(summary.minimum).toBeGreaterThanOrEqual(minimum);
    const expected = await fromScratch();
    expect((await liveTables()).counts).toEqual(expected.counts);
  });

  it('lets one rebuild of a projection run at a time, and drops an abandoned one on request', async () => {
    await appendStreams(4, 50);
    const slow = new CountingProjection('slow');
    const first = await engineFor(slow);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const originalApply = slow.apply.bind(slow);
    slow.apply = async (events, manager) => {
      started();
      await gate;
      return originalApply(events, manager);
    };
    const firstRun = first.rebuild(PROJECTION, { batchSize: 10 });
    await running;

    const second = await engineFor(new CountingProjection('second'));
    await expect(second.rebuild(PROJECTION)).rejects.toBeInstanceOf(RebuildInProgressError);
    await expect(second.discardRebuild(PROJECTION)).rejects.toBeInstanceOf(RebuildInProgressError);
    release();
    await firstRun;

    const controller = new AbortController();
    await expect(
      second.rebuild(PROJECTION, { batchSize: 10, progressIntervalMs: 0, signal: controller.signal, onProgress: (p) => p.eventsReduced > 0 && controller.abort() }),
    ).rejects.toThrow();
    const left = await second.rebuildStatus(PROJECTION);
    expect(left).not.toBeNull();
    if (kind === 'sqlite') expect(existsSync(left!.location)).toBe(true);
    expect(await second.discardRebuild(PROJECTION)).toBe(true);
    expect(await second.rebuildStatus(PROJECTION)).toBeNull();
    if (kind === 'sqlite') expect(existsSync(left!.location)).toBe(false);
    expect(await second.discardRebuild(PROJECTION)).toBe(false);
  });

  interface ReaderSummary {
    reads: number;
    minimum: number;
    inconsistent: Array<{ reduced: number; counted: number }>;
  }

  /**
   * Reads the two tables in one statement (one snapshot) over and over until stopped. SQLite:
   * in a worker thread, so it really runs while this thread is inside the switch.
   */
  async function startReader(): Promise<{ stop: () => Promise<ReaderSummary> }> {
    const layout = await database.open(projectionEngineEntities([new CountingProjection()]));
    const table = (entity: typeof ReducedEventEntity | typeof StreamCountEntity) =>
      layout
        .getMetadata(entity)
        .tablePath.split('.')
        .map((part) => `"${part}"`)
        .join('.');
    const sql = `SELECT (SELECT count(*) FROM ${table(ReducedEventEntity)}) AS reduced, (SELECT coalesce(sum(count), 0) FROM ${table(StreamCountEntity)}) AS counted`;
    if (kind === 'sqlite') return startWorkerReader(sql, database.sqliteFile);
    return startPoolReader(layout, sql);
  }
});

function startPoolReader(reader: DataSource, sql: string): { stop: () => Promise<ReaderSummary> } {
  const summary: ReaderSummary = { reads: 0, minimum: Number.POSITIVE_INFINITY, inconsistent: [] };
  let running = true;
  const loop = (async () => {
    while (running) {
      const [row]: Array<{ reduced: string | number; counted: string | number }> = await reader.query(sql);
      record(summary, Number(row.reduced), Number(row.counted));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return summary;
    },
  };
}

interface ReaderSummary {
  reads: number;
  minimum: number;
  inconsistent: Array<{ reduced: number; counted: number }>;
}

function record(summary: ReaderSummary, reduced: number, counted: number): void {
  summary.reads += 1;
  summary.minimum = Math.min(summary.minimum, reduced);
  if (reduced !== counted && summary.inconsistent.length < 5) summary.inconsistent.push({ reduced, counted });
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { readonly: true });
const statement = db.prepare(workerData.sql);
const summary = { reads: 0, minimum: Infinity, inconsistent: [] };
let running = true;
parentPort.on('message', () => { running = false; });
function loop() {
  for (let i = 0; i < 20; i += 1) {
    const row = statement.get();
    summary.reads += 1;
    summary.minimum = Math.min(summary.minimum, row.reduced);
    if (row.reduced !== row.counted && summary.inconsistent.length < 5) summary.inconsistent.push({ reduced: row.reduced, counted: row.counted });
  }
  if (running) setImmediate(loop);
  else { db.close(); parentPort.postMessage(summary); }
}
loop();
`;

async function startWorkerReader(sql: string, file: string): Promise<{ stop: () => Promise<ReaderSummary> }> {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver: require.resolve('better-sqlite3'), file, sql } });
  const result = new Promise<ReaderSummary>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    stop: async () => {
      worker.postMessage('stop');
      const summary = await result;
      await worker.terminate();
      return summary;
    },
  };
}
