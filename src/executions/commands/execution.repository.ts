import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '@app/event-store';
import { AggregateRepository } from '@app/eventsourcing';
import { EVENT_STORE } from '../../persistence/persistence.tokens';
import { ExecutionAggregate, executionDescriptor } from '../domain/execution.aggregate';
import type { ExecutionEvent } from '../domain/execution-events';

@Injectable()
export class ExecutionRepository extends AggregateRepository<ExecutionAggregate, ExecutionEvent> {
  constructor(@Inject(EVENT_STORE) private readonly events: EventStore) {
    super(events, executionDescriptor);
  }

  /** Revision and creation time of the execution's last stored event (for commands that stored nothing). */
  async lastChange(instanceId: string, id: string): Promise<{ revision: number; createdAt: Date } | undefined> {
    const [last] = await this.events.readStream(executionDescriptor.streamName(instanceId, id), { direction: 'backwards', maxCount: 1 });
    return last && { revision: last.revision, createdAt: last.createdAt };
  }
}
