import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '@app/event-store';
import { AggregateRepository } from '@app/eventsourcing';
import { EVENT_STORE } from '../../persistence/persistence.tokens';
import { TargetAggregate, targetDescriptor } from '../domain/target.aggregate';
import { TARGET_REMOVED, type TargetEvent } from '../domain/target-events';

@Injectable()
export class TargetRepository extends AggregateRepository<TargetAggregate, TargetEvent> {
  constructor(@Inject(EVENT_STORE) private readonly events: EventStore) {
    super(events, targetDescriptor);
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
