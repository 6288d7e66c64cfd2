import type { StoredEvent } from '@app/event-store';
import { EntitySchema, In, type EntityManager, type ValueTransformer } from 'typeorm';
import type { Projection } from '../projection';

export const COUNTED_TYPE = 'counter.incremented';

const bigintAsNumber: ValueTransformer = {
  to: (value: number | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

export interface StreamCountRow {
  stream: string;
  count: number;
  lastPosition: number;
}

export const StreamCountEntity = new EntitySchema<StreamCountRow>({
  name: 'TestStreamCount',
  tableName: 'test_stream_count',
  columns: {
    stream: { type: 'varchar', length: 200, primary: true },
    count: { type: 'integer' },
    lastPosition: { name: 'last_position', type: 'bigint', transformer: bigintAsNumber },
  },
});

/** One row per reduced event and no uniqueness: an event reduced twice shows up twice. */
export interface ReducedEventRow {
  id?: number;
  eventId: string;
  position: number;
  reducedBy: string;
}

export const ReducedEventEntity = new EntitySchema<ReducedEventRow>({
  name: 'TestReducedEvent',
  tableName: 'test_reduced_event',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    eventId: { name: 'event_id', type: 'varchar', length: 64 },
    position: { type: 'bigint', transformer: bigintAsNumber },
    reducedBy: { name: 'reduced_by', type: 'varchar', length: 64 },
  },
});

/**
 * Counts `counter.incremented` events per stream and logs every reduced event. `failWhen`
 * makes a batch throw at a chosen event after writing the rows of the events before it.
 */
export class CountingProjection implements Projection {
  readonly name = 'stream-counts';
  readonly eventTypes = [COUNTED_TYPE];
  readonly entities = [StreamCountEntity, ReducedEventEntity];
  /** Events handed to `apply` (including batches that then failed). */
  eventsSeen = 0;
  batches = 0;
  failWhen: ((event: StoredEvent) => boolean) | undefined;

  constructor(private readonly label = 'engine') {}

  async apply(events: readonly StoredEvent[], manager: EntityManager): Promise<void> {
    this.batches += 1;
    this.eventsSeen += events.length;
    const reduced: ReducedEventRow[] = [];
    for (const event of events) {
      if (this.failWhen?.(event)) {
        await insertReduced(manager, reduced);
        throw new Error(`Cannot reduce event at position ${event.position}`);
      }
      reduced.push({ eventId: event.id, position: event.position, reducedBy: this.label });
    }
    await insertReduced(manager, reduced);
    await addCounts(manager, events);
  }
}

async function insertReduced(manager: EntityManager, rows: ReducedEventRow[]): Promise<void> {
  if (rows.length > 0) await manager.insert(ReducedEventEntity, rows);
}

async function addCounts(manager: EntityManager, events: readonly StoredEvent[]): Promise<void> {
  const increments = new Map<string, StreamCountRow>();
  for (const event of events) {
    const row = increments.get(event.stream) ?? { stream: event.stream, count: 0, lastPosition: 0 };
    row.count += 1;
    row.lastPosition = event.position;
    increments.set(event.stream, row);
  }
  const existing = await manager.findBy(StreamCountEntity, { stream: In([...increments.keys()]) });
  for (const row of existing) {
    const increment = increments.get(row.stream);
    if (increment) increment.count += row.count;
  }
  await manager.upsert(StreamCountEntity, [...increments.values()], ['stream']);
}
