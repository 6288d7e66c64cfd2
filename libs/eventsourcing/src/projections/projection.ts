import type { StoredEvent } from '@app/event-store';
import type { EntityManager, EntitySchema } from 'typeorm';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own entity-class type
export type EntityTarget = Function | EntitySchema;

/**
 * A read model fed by the global log. The engine calls `apply` with a batch of events (only
 * the types listed in `eventTypes`, in global order) inside a transaction that also writes
 * the projection's new checkpoint, so the batch's effects and the checkpoint commit together.
 */
export interface Projection {
  /** Unique, stable name; the checkpoint is kept under it. */
  readonly name: string;
  /** Event types this projection reduces. */
  readonly eventTypes: readonly string[];
  /** TypeORM entities (tables) this projection owns. */
  readonly entities: readonly EntityTarget[];
  /**
   * Reduces a batch of events. Must use only `manager` for reads and writes (it is bound to
   * the engine's transaction) and must be deterministic: replaying the same events into empty
   * tables gives the same rows.
   */
  apply(events: readonly StoredEvent[], manager: EntityManager): Promise<void>;
}
