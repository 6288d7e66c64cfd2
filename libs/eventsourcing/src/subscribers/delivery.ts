import type { StoredEvent } from '@app/event-store';
import { errorMessage, type ProjectionLogger } from '../projections/logger';
import { notifyObserver } from '../projections/observer';
import { backoffDelay } from '../projections/projection-runner';
import type { EventSubscriber } from './event-subscriber';
import type { ParkedEvent } from './subscriber-checkpoints';
import type { SubscriberObserver } from './subscriber-observer';

export interface DeliveryPolicy {
  /** Deliveries of one event before it is parked. */
  maxAttempts: number;
  /** Backoff between attempts: doubles from `initialMs` up to `maxMs`, with jitter. */
  retryDelay: { initialMs: number; maxMs: number };
}

export interface DeliveryContext {
  policy: DeliveryPolicy;
  logger: ProjectionLogger;
  observer?: SubscriberObserver;
  /** Waits `ms`; resolves false when the runner is stopped meanwhile. */
  pause(ms: number): Promise<boolean>;
}

export type DeliveryOutcome =
  | { kind: 'handled' }
  | { kind: 'parked'; parked: ParkedEvent }
  /** Stopped between two attempts: the checkpoint must stay, the event is delivered again later. */
  | { kind: 'interrupted' };

/** The longest error text kept in failed_events. */
export const MAX_ERROR_TEXT = 4000;

/** Hands one event to the subscriber, retrying with backoff up to the policy's attempts. */
export async function deliver(subscriber: EventSubscriber, event: StoredEvent, context: DeliveryContext): Promise<DeliveryOutcome> {
  const { policy, logger, observer } = context;
  let firstFailedAt: Date | undefined;
  for (let attempt = 1; ; attempt += 1) {
    const started = performance.now();
    try {
      await subscriber.handle(event);
      notifyObserver(observer?.onDelivered, { subscriber: subscriber.name, event, attempt, durationMs: performance.now() - started }, logger);
      return { kind: 'handled' };
    } catch (error) {
      const failedAt = new Date();
      firstFailedAt ??= failedAt;
      const willRetry = attempt < policy.maxAttempts;
      const durationMs = performance.now() - started;
      notifyObserver(observer?.onFailure, { subscriber: subscriber.name, event, attempt, durationMs, error, willRetry }, logger);
      if (!willRetry) {
        logger.error('Subscriber gave up on an event; it is recorded in failed_events', {
          subscriber: subscriber.name,
          eventId: event.id,
          position: event.position,
          attempts: attempt,
          error: errorMessage(error),
        });
        notifyObserver(observer?.onParked, { subscriber: subscriber.name, event, attempts: attempt, error }, logger);
        const parked = { event, error: errorMessage(error).slice(0, MAX_ERROR_TEXT), attempts: attempt, firstFailedAt, lastFailedAt: failedAt };
        return { kind: 'parked', parked };
      }
      const delayMs = backoffDelay(attempt, policy.retryDelay);
      logger.warn('Subscriber failed to handle an event; retrying', {
        subscriber: subscriber.name,
        eventId: event.id,
        position: event.position,
        attempt,
        retryInMs: delayMs,
        error: errorMessage(error),
      });
      if (!(await context.pause(delayMs))) return { kind: 'interrupted' };
    }
  }
}
