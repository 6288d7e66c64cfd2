import { EntitySchema, type ValueTransformer } from 'typeorm';

/** PostgreSQL returns bigint as a string; positions and epoch milliseconds stay far below 2^53. */
const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/** ISO-8601 UTC text: time-zone-safe on both databases (see projection-state.entity.ts). */
const isoTimestamp: ValueTransformer = {
  to: (value: Date | null | undefined) => (value instanceof Date ? value.toISOString() : value),
  from: (value: string | null) => (value === null ? null : new Date(value)),
};

/** One row per subscriber: its checkpoint and who is delivering to it. */
export interface SubscriberCheckpointRow {
  name: string;
  /** Global position up to which (inclusive) events were handled or parked. */
  position: number;
  /** Events handled successfully (parked ones excluded). */
  eventsHandled: number;
  /** Events recorded as failed. */
  eventsFailed: number;
  updatedAt: Date;
  /** Runner holding the delivery lease, or null. */
  owner: string | null;
  /** End of the lease in epoch milliseconds of the database's clock, or null. */
  leaseUntil: number | null;
}

export const SUBSCRIBER_CHECKPOINTS_TABLE = 'subscriber_checkpoints';

export const SubscriberCheckpointEntity = new EntitySchema<SubscriberCheckpointRow>({
  name: 'SubscriberCheckpoint',
  tableName: SUBSCRIBER_CHECKPOINTS_TABLE,
  columns: {
    name: { type: 'varchar', length: 200, primary: true },
    position: { type: 'bigint', transformer: bigintAsNumber },
    eventsHandled: { name: 'events_handled', type: 'bigint', default: 0, transformer: bigintAsNumber },
    eventsFailed: { name: 'events_failed', type: 'bigint', default: 0, transformer: bigintAsNumber },
    updatedAt: { name: 'updated_at', type: 'varchar', length: 32, transformer: isoTimestamp },
    owner: { type: 'varchar', length: 200, nullable: true },
    leaseUntil: { name: 'lease_until', type: 'bigint', nullable: true, transformer: bigintAsNumber },
  },
});

export type FailedEventStatus = 'failed' | 'resolved';

/** An event a subscriber could not handle within its attempts: the subscriber moved on without it. */
export interface FailedEventRow {
  id: number;
  subscriber: string;
  eventId: string;
  position: number;
  type: string;
  stream: string;
  tenant: string;
  /** Message (and stack) of the most recent failure. */
  error: string;
  /** Deliveries tried so far, retries from the command line included. */
  attempts: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
  /** `failed` until a retry succeeds, then `resolved`. */
  status: FailedEventStatus;
  resolvedAt: Date | null;
}

export const FAILED_EVENTS_TABLE = 'failed_events';

export const FailedEventEntity = new EntitySchema<FailedEventRow>({
  name: 'FailedEvent',
  tableName: FAILED_EVENTS_TABLE,
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    subscriber: { type: 'varchar', length: 200 },
    eventId: { name: 'event_id', type: 'varchar', length: 64 },
    position: { type: 'bigint', transformer: bigintAsNumber },
    type: { type: 'varchar', length: 200 },
    stream: { type: 'varchar', length: 500 },
    tenant: { type: 'varchar', length: 200 },
    error: { type: 'text' },
    attempts: { type: 'integer' },
    firstFailedAt: { name: 'first_failed_at', type: 'varchar', length: 32, transformer: isoTimestamp },
    lastFailedAt: { name: 'last_failed_at', type: 'varchar', length: 32, transformer: isoTimestamp },
    status: { type: 'varchar', length: 16 },
    resolvedAt: { name: 'resolved_at', type: 'varchar', length: 32, nullable: true, transformer: isoTimestamp },
  },
  uniques: [{ name: 'UQ_failed_events_subscriber_event', columns: ['subscriber', 'eventId'] }],
  indices: [{ name: 'IDX_failed_events_subscriber_status', columns: ['subscriber', 'status', 'position'] }],
});
