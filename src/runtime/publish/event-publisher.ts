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
 * Stores published events durably and idempotently (spec §4): each as one
 * `runtime.event.published` event in its own stream, appended only if that stream does not
 * exist, so a repeated id is counted as already accepted and never stored twice.
 */
@Injectable()
export class EventPublisher {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /**
   * Appends the batch one event at a time, in the given order (the store has no atomic append
   * across streams). If one append fails, the call fails with the events before it stored: the
   * host retries the whole batch, and the stored ones come back as already accepted.
   */
  async publish(instanceId: string, actor: string, events: readonly PublishedEvent[]): Promise<PublishResult> {
    const result: PublishResult = { accepted: 0, alreadyAccepted: 0 };
    for (const event of events) {
      try {
        await this.store.append(publishedEventStream(instanceId, event.id), [{ type: RUNTIME_EVENT_PUBLISHED, data: publishedEventData(event), tenant: instanceId, metadata: { actor } }], {
          expectedRevision: 'no_stream',
        });
        result.accepted += 1;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        result.alreadyAccepted += 1;
      }
    }
    return result;
  }
}
