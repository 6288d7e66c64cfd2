import { EntitySchema, type ValueTransformer } from 'typeorm';
import type { DeliveryState } from './delivery-json';

/** PostgreSQL returns bigint as a string; ids, positions and epoch milliseconds stay far below 2^53. */
const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/** One event to send to one target of its event execution. */
export interface DeliveryRow {
  id: number;
  instanceId: string;
  /** The event's id: the published id, or the stored event's id for the service's own events. */
  eventId: string;
  eventType: string;
  targetId: string;
  /** Place of the target in the event's chain (0 first). */
  chainIndex: number;
  /** Global log position of the event. */
  eventPosition: number;
  /** The request id that stored the event (its correlation id), carried into the log lines of every attempt. */
  requestId: string | null;
  /** The event body (spec §3), sent as is on every attempt; signed at send time. */
  body: string;
  /** The target's interruptOnError when the delivery was recorded: parked, it holds back the rest of the chain. */
  interruptOnError: number;
  state: DeliveryState;
  attempts: number;
  /** When the event was stored, epoch ms: the age DELIVERY_MAX_AGE is measured from. */
  createdAt: number;
  /** Earliest next attempt, epoch ms of the database's clock. */
  nextAttemptAt: number;
  /** The worker holding the delivery, until `claimUntil` (database clock). */
  claimedBy: string | null;
  claimUntil: number | null;
  /** Why the last attempt failed (or why the delivery was dropped). */
  lastError: string | null;
  finishedAt: number | null;
}

export const DELIVERIES_TABLE = 'event_deliveries';

export const DeliveryEntity = new EntitySchema<DeliveryRow>({
  name: 'EventDelivery',
  tableName: DELIVERIES_TABLE,
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    instanceId: { name: 'instance_id', type: 'varchar', length: 200 },
    eventId: { name: 'event_id', type: 'varchar', length: 200 },
    eventType: { name: 'event_type', type: 'varchar', length: 200 },
    targetId: { name: 'target_id', type: 'varchar', length: 200 },
    chainIndex: { name: 'chain_index', type: 'integer' },
    eventPosition: { name: 'event_position', type: 'bigint', transformer: bigintAsNumber },
    requestId: { name: 'request_id', type: 'varchar', length: 200, nullable: true },
    body: { type: 'text' },
    interruptOnError: { name: 'interrupt_on_error', type: 'integer' },
    state: { type: 'varchar', length: 16 },
    attempts: { type: 'integer', default: 0 },
    createdAt: { name: 'created_at', type: 'bigint', transformer: bigintAsNumber },
    nextAttemptAt: { name: 'next_attempt_at', type: 'bigint', transformer: bigintAsNumber },
    claimedBy: { name: 'claimed_by', type: 'varchar', length: 200, nullable: true },
    claimUntil: { name: 'claim_until', type: 'bigint', nullable: true, transformer: bigintAsNumber },
    lastError: { name: 'last_error', type: 'text', nullable: true },
    finishedAt: { name: 'finished_at', type: 'bigint', nullable: true, transformer: bigintAsNumber },
  },
  // A repeat of an event (a published id stored twice) records nothing new.
  uniques: [{ name: 'UQ_event_deliveries_event_target', columns: ['instanceId', 'eventId', 'targetId'] }],
  indices: [
    { name: 'IDX_event_deliveries_due', columns: ['state', 'nextAttemptAt'] },
    { name: 'IDX_event_deliveries_chain', columns: ['instanceId', 'eventId', 'chainIndex'] },
    { name: 'IDX_event_deliveries_instance_state', columns: ['instanceId', 'state', 'id'] },
  ],
});

/** The recorder's checkpoint: the log position up to which events were turned into deliveries. */
export interface DeliveryCheckpointRow {
  name: string;
  position: number;
  updatedAt: string;
}

export const DeliveryCheckpointEntity = new EntitySchema<DeliveryCheckpointRow>({
  name: 'EventDeliveryCheckpoint',
  tableName: 'event_delivery_checkpoints',
  columns: {
    name: { type: 'varchar', length: 200, primary: true },
    position: { type: 'bigint', transformer: bigintAsNumber },
    updatedAt: { name: 'updated_at', type: 'varchar', length: 32 },
  },
});

export const deliveryEntities = [DeliveryEntity, DeliveryCheckpointEntity];
