import type { StoredEvent } from '@app/event-store';

/**
 * Reacts to events with side effects outside the read model (webhooks, e-mails, calls to other
 * services). Delivery is at least once, in log order, one event at a time: `handle` may see an
 * event again after a crash or a lost lease (the checkpoint moves once per page of events, so
 * up to a page is delivered again), so it must be idempotent, e.g. keyed by `event.id`.
 */
export interface EventSubscriber {
  /** Unique, stable name; the checkpoint and failed events are kept under it. */
  readonly name: string;
  /** Event types delivered to `handle`. */
  readonly eventTypes: readonly string[];
  /**
   * Where a subscriber without a checkpoint starts: `beginning` (position 0, the whole history;
   * the default) or `now` (the head of the log when its checkpoint row is first created).
   */
  readonly startAt?: 'beginning' | 'now';
  /** Resolves once the event is handled; a rejection is retried with backoff, then parked. */
  handle(event: StoredEvent): Promise<void>;
}
