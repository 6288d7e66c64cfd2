import { Inject, Injectable } from '@nestjs/common';
import { WrongExpectedRevisionError, type EventStore } from '@app/event-store';
import { EVENT_STORE } from '../../persistence/persistence.tokens';
import { publishedEventData, publishedEventStream, RUNTIME_EVENT_PUBLISHED, type PublishedEvent } from '../domain/published-event';

/** How many of a batch were stored now, and how many had been stored before (repeats). */
export interface PublishResult {
  accepted: number;
  alreadyAccepted: number;
}

/**
 * Aggregates whose events are appended at the same time. Each append is a transaction of its
 * own (one stream per event), so a batch one at a time costs a commit per event; this keeps a
 * PostgreSQL pool of 10 connections free for other requests.
 */
const CONCURRENT_AGGREGATES = 8;

/**
 * Stores published events durably and idempotently (spec §4): each as one
 * `runtime.event.published` event in its own stream, appended only if that stream does not
 * exist, so a repeated id is counted as already accepted and never stored twice.
 */
@Injectable()
export class EventPublisher {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /**
   * Appends the batch one event per append (the store has no atomic append across streams):
   * the events of one aggregate one after another in the given order, several aggregates at a
   * time. If an append fails, the call fails once the appends under way have ended, with some
   * events stored: the host retries the whole batch, and those come back as already accepted.
   */
  async publish(instanceId: string, actor: string, events: readonly PublishedEvent[]): Promise<PublishResult> {
    const result: PublishResult = { accepted: 0, alreadyAccepted: 0 };
    const queue = [...byAggregate(events)];
    let failure: { error: unknown } | undefined;
    const worker = async (): Promise<void> => {
      for (let group = queue.shift(); group !== undefined && failure === undefined; group = queue.shift()) {
        try {
          for (const event of group) {
            if ((await this.append(instanceId, actor, event)) === 'stored') result.accepted += 1;
            else result.alreadyAccepted += 1;
          }
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENT_AGGREGATES, queue.length) }, worker));
    if (failure !== undefined) throw failure.error;
    return result;
  }

  private async append(instanceId: string, actor: string, event: PublishedEvent): Promise<'stored' | 'repeat'> {
    try {
      await this.store.append(publishedEventStream(instanceId, event.id), [{ type: RUNTIME_EVENT_PUBLISHED, data: publishedEventData(event), tenant: instanceId, metadata: { actor } }], {
        expectedRevision: 'no_stream',
      });
      return 'stored';
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) return 'repeat';
      throw error;
    }
  }
}

/** The batch's events grouped by aggregate, each group in the batch's order. */
function byAggregate(events: readonly PublishedEvent[]): Iterable<PublishedEvent[]> {
  const groups = new Map<string, PublishedEvent[]>();
  for (const event of events) {
    const key = JSON.stringify([event.aggregateType, event.aggregateId]);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [event]);
    else group.push(event);
  }
  return groups.values();
}
