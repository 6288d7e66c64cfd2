import type { StoredEvent } from '@app/event-store';

export interface SubscriberDeliveryInfo {
  subscriber: string;
  event: StoredEvent;
  /** 1 for the first delivery of the event. */
  attempt: number;
  durationMs: number;
}

export interface SubscriberFailureInfo extends SubscriberDeliveryInfo {
  error: unknown;
  /** False when this was the last attempt: the event is parked in failed_events next. */
  willRetry: boolean;
}

export interface SubscriberParkedInfo {
  subscriber: string;
  event: StoredEvent;
  attempts: number;
  error: unknown;
}

/**
 * Hooks for metrics, so the library needs no metrics dependency. Called synchronously after
 * the fact; a throwing hook is logged and otherwise ignored.
 */
export interface SubscriberObserver {
  /** `handle` resolved (live delivery or a retry of a failed event). */
  onDelivered?(info: SubscriberDeliveryInfo): void;
  /** `handle` rejected. */
  onFailure?(info: SubscriberFailureInfo): void;
  /** The event used up its attempts and was recorded in failed_events; the subscriber moves on. */
  onParked?(info: SubscriberParkedInfo): void;
  /** The checkpoint moved (after a handled or parked event, or past events of other types). */
  onCheckpoint?(info: { subscriber: string; position: number }): void;
}
