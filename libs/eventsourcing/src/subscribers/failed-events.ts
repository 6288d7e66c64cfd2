import type { EventStore, StoredEvent } from '@app/event-store';
import { In, type DataSource } from 'typeorm';
import type { DatabaseDialect } from '../projections/database-dialect';
import { errorMessage, type ProjectionLogger } from '../projections/logger';
import { notifyObserver } from '../projections/observer';
import { MAX_ERROR_TEXT } from './delivery';
import { UnknownSubscriberError } from './errors';
import type { EventSubscriber } from './event-subscriber';
import { FailedEventEntity, type FailedEventRow, type FailedEventStatus } from './subscriber-tables';
import type { SubscriberObserver } from './subscriber-observer';

export type FailedEvent = FailedEventRow;

export interface ListFailedOptions {
  /** Only this subscriber's events. */
  subscriber?: string;
  /** Default `failed` (still to be dealt with); `all` includes resolved ones. */
  status?: FailedEventStatus | 'all';
}

export interface RetryFailedResult {
  /** Handled this time: now `resolved`. */
  resolved: FailedEvent[];
  /** Failed again (attempts bumped, error updated), or no longer in the log. */
  failed: FailedEvent[];
}

export interface FailedEventsContext {
  dataSource: DataSource;
  dialect: DatabaseDialect;
  /** A table with a `name` column whose write takes the SQLite write lock (the checkpoints table). */
  lockTable: string;
  store: EventStore;
  subscribers: ReadonlyMap<string, EventSubscriber>;
  logger: ProjectionLogger;
  observer?: SubscriberObserver;
}

export async function listFailedEvents(context: FailedEventsContext, options: ListFailedOptions = {}): Promise<FailedEvent[]> {
  const status = options.status ?? 'failed';
  return context.dialect.exclusive(() =>
    context.dataSource.getRepository(FailedEventEntity).find({
      where: {
        ...(options.subscriber === undefined ? {} : { subscriber: options.subscriber }),
        ...(status === 'all' ? {} : { status }),
      },
      order: { position: 'ASC', id: 'ASC' },
    }),
  );
}

/**
 * Delivers failed events once more, in log order, one attempt each: a success marks the row
 * `resolved`, a failure bumps its attempts and keeps it `failed`. Runs beside the live
 * delivery (the subscriber has moved on), so a retried event may reach the handler after
 * later events; handlers are idempotent anyway. Only rows still `failed` are retried.
 */
export async function retryFailedEvents(context: FailedEventsContext, selection: readonly number[] | string): Promise<RetryFailedResult> {
  const rows = await selectFailed(context, selection);
  for (const row of rows) {
    if (!context.subscribers.has(row.subscriber)) throw new UnknownSubscriberError(row.subscriber);
  }
  const result: RetryFailedResult = { resolved: [], failed: [] };
  for (const row of rows) {
    const subscriber = context.subscribers.get(row.subscriber)!;
    const attempt = row.attempts + 1;
    const event = await findEvent(context.store, row);
    let error: unknown;
    const started = performance.now();
    if (!event) {
      error = new Error(`Event ${row.eventId} is no longer at position ${row.position} of the log`);
    } else {
      try {
        await subscriber.handle(event);
        notifyObserver(context.observer?.onDelivered, { subscriber: row.subscriber, event, attempt, durationMs: performance.now() - started }, context.logger);
      } catch (caught) {
        error = caught ?? new Error('The handler rejected without a reason');
        const info = { subscriber: row.subscriber, event, attempt, durationMs: performance.now() - started, error, willRetry: false };
        notifyObserver(context.observer?.onFailure, info, context.logger);
      }
    }
    const now = new Date();
    const changes: Partial<FailedEventRow> =
      error === undefined
        ? { attempts: attempt, status: 'resolved', resolvedAt: now }
        : { attempts: attempt, error: errorMessage(error).slice(0, MAX_ERROR_TEXT), lastFailedAt: now };
    await context.dialect.transaction(context.dataSource, context.lockTable, (manager) =>
      manager.update(FailedEventEntity, { id: row.id, status: 'failed' }, changes),
    );
    const updated = { ...row, ...changes };
    if (error === undefined) result.resolved.push(updated);
    else {
      context.logger.warn('Retrying a failed event failed again', { subscriber: row.subscriber, eventId: row.eventId, attempts: attempt, error: errorMessage(error) });
      result.failed.push(updated);
    }
  }
  return result;
}

function selectFailed(context: FailedEventsContext, selection: readonly number[] | string): Promise<FailedEvent[]> {
  if (typeof selection === 'string' && !context.subscribers.has(selection)) throw new UnknownSubscriberError(selection);
  const where = typeof selection === 'string' ? { subscriber: selection, status: 'failed' as const } : { id: In([...selection]), status: 'failed' as const };
  return context.dialect.exclusive(() => context.dataSource.getRepository(FailedEventEntity).find({ where, order: { position: 'ASC', id: 'ASC' } }));
}

async function findEvent(store: EventStore, row: FailedEventRow): Promise<StoredEvent | undefined> {
  const { events } = await store.readAll({ fromPosition: row.position, maxCount: 1 });
  const [event] = events;
  return event && event.id === row.eventId ? event : undefined;
}
