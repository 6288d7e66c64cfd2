import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '@app/event-store';
import { AggregateRepository } from '@app/eventsourcing';
import { EVENT_STORE } from '../../persistence/persistence.tokens';
import { TargetAggregate, targetDescriptor } from '../domain/target.aggregate';
import { TARGET_ADDED, TARGET_CHANGED, TARGET_REMOVED, type TargetEvent } from '../domain/target-events';

@Injectable()
export class TargetRepository extends AggregateRepository<TargetAggregate, TargetEvent> {
  constructor(@Inject(EVENT_STORE) private readonly events: EventStore) {
    super(events, targetDescriptor);
  }

  /**
   * Whether the target exists, from its latest event alone, so the check costs one event however
   * long the target's history: a target is removed for good (its id is never added again), and
   * a change is only ever stored for a target that exists. Anything else (an event type this
   * build does not know, an addition it cannot read) is decided by replaying the stream.
   */
  async exists(instanceId: string, id: string): Promise<boolean> {
    const [latest] = await this.events.readStream(targetDescriptor.streamName(instanceId, id), { direction: 'backwards', maxCount: 1 });
    if (!latest || latest.type === TARGET_REMOVED) return false;
    if (latest.type === TARGET_CHANGED) return true;
    if (latest.type === TARGET_ADDED && targetDescriptor.toDomainEvent(latest)) return true;
    return (await this.load(instanceId, id)).exists;
  }

  /** Creation time of the target's last stored event (for manipulations that stored nothing). */
  async lastChangeDate(instanceId: string, id: string): Promise<Date | undefined> {
    const [last] = await this.events.readStream(targetDescriptor.streamName(instanceId, id), { direction: 'backwards', maxCount: 1 });
    return last?.createdAt;
  }

  /** Creation time of the target's removal, if it was removed. */
  async removalDate(instanceId: string, id: string): Promise<Date | undefined> {
    const events = await this.events.readStream(targetDescriptor.streamName(instanceId, id), { direction: 'backwards' });
    return events.find((event) => event.type === TARGET_REMOVED)?.createdAt;
  }
}
