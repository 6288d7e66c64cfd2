import type { EventStore, EventToAppend, StoredEvent } from '@app/event-store';
import { ProjectionEngine, projectionEngineEntities } from '@app/eventsourcing';
import type { Projection } from '@app/eventsourcing';
import { randomBytes } from 'node:crypto';
import { DataSource, EntitySchema, In, type DataSourceOptions, type EntityManager } from 'typeorm';

interface BenchStreamCountRow {
  stream: string;
  count: number;
}

const BenchStreamCountEntity = new EntitySchema<BenchStreamCountRow>({
  name: 'BenchStreamCount',
  tableName: 'bench_stream_count',
  columns: {
    stream: { type: 'varchar', length: 200, primary: true },
    count: { type: 'integer' },
  },
});

/** One row per stream holding how many of the run's events it saw; writes are batched. */
class StreamCountProjection implements Projection {
  readonly name = 'bench-stream-counts';
  readonly entities = [BenchStreamCountEntity];
  readonly eventTypes: readonly string[];

  constructor(eventType: string) {
    this.eventTypes = [eventType];
  }

  async apply(events: readonly StoredEvent[], manager: EntityManager): Promise<void> {
    const counts = new Map<string, number>();
    for (const event of events) counts.set(event.stream, (counts.get(event.stream) ?? 0) + 1);
    const existing = await manager.findBy(BenchStreamCountEntity, { stream: In([...counts.keys()]) });
    for (const row of existing) counts.set(row.stream, (counts.get(row.stream) ?? 0) + row.count);
    await manager.upsert(
      BenchStreamCountEntity,
      [...counts].map(([stream, count]) => ({ stream, count })),
      ['stream'],
    );
  }
}

const EVENTS_PER_STREAM = 5;
const APPEND_CONCURRENCY = 8;
const BATCH_SIZE = 1000;

/**
 * Catch-up speed of the projection engine into a TypeORM table.
 *
 * Appends `events` new events to `store` (5 per stream, like the service's small aggregates,
 * of a type unique to this run). The log may already hold other events: the projection reads
 * past them, and that reading counts against the rate. Then it resets the projection (empty
 * table, checkpoint 0), times a catch-up from position 0 to the head, and checks that every
 * event of the run was reduced exactly once (each stream's row counts its events). `adapter` names the store for
 * error messages; the read model is the database of `dataSourceOptions`.
 */
export async function measureProjectionCatchUp(
  store: EventStore,
  adapter: 'sqlite' | 'postgres',
  ctx: { dataSourceOptions: DataSourceOptions; events: number },
): Promise<{ eventsPerSecond: number; events: number }> {
  const runId = randomBytes(4).toString('hex');
  const eventType = `bench.counted.${runId}`;
  const expected = await appendRun(store, runId, eventType, ctx.events);

  const projection = new StreamCountProjection(eventType);
  const dataSource = new DataSource({ ...ctx.dataSourceOptions, entities: projectionEngineEntities([projection]) } as DataSourceOptions);
  await dataSource.initialize();
  try {
    const engine = new ProjectionEngine(store, dataSource, [projection], { batchSize: BATCH_SIZE });
    await engine.init();
    await engine.reset(projection.name);

    const started = process.hrtime.bigint();
    await engine.catchUp();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    await verifyExactlyOnce(dataSource, expected, adapter);
    return { eventsPerSecond: Math.round(ctx.events / seconds), events: ctx.events };
  } finally {
    await dataSource.destroy();
  }
}

async function appendRun(store: EventStore, runId: string, eventType: string, total: number): Promise<Map<string, number>> {
  const expected = new Map<string, number>();
  for (let appended = 0, stream = 0; appended < total; stream += 1) {
    const count = Math.min(EVENTS_PER_STREAM, total - appended);
    expected.set(`bench-${runId}-${stream}`, count);
    appended += count;
  }
  const streams = [...expected];
  let next = 0;
  const worker = async () => {
    while (next < streams.length) {
      const [stream, count] = streams[next++];
      const events: EventToAppend[] = Array.from({ length: count }, (_, index) => ({ type: eventType, data: { index }, tenant: 'bench' }));
      await store.append(stream, events, { expectedRevision: 'no_stream' });
    }
  };
  await Promise.all(Array.from({ length: APPEND_CONCURRENCY }, worker));
  return expected;
}

async function verifyExactlyOnce(dataSource: DataSource, expected: Map<string, number>, adapter: string): Promise<void> {
  const rows = await dataSource.getRepository(BenchStreamCountEntity).find();
  const wrong = rows.filter((row) => expected.get(row.stream) !== row.count);
  if (rows.length !== expected.size || wrong.length > 0) {
    throw new Error(
      `Projection catch-up on ${adapter} is not exactly-once: ${rows.length} rows for ${expected.size} streams, ` +
        `${wrong.length} wrong counts (first: ${JSON.stringify(wrong[0])})`,
    );
  }
}
