import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '@app/event-store';
import { AggregateRepository } from '@app/eventsourcing';
import { EVENT_STORE } from '../../persistence/persistence.tokens';
import { ExecutionAggregate, executionDescriptor } from '../domain/execution.aggregate';
import type { ExecutionEvent } from '../domain/execution-events';

@Injectable()
export class ExecutionRepository extends AggregateRepository<ExecutionAggregate, ExecutionEvent> {
  constructor(@Inject(EVENT_STORE) store: EventStore) {
    super(store, executionDescriptor);
  }
}
