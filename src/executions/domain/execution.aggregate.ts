import { EventSourcedAggregate, type AggregateDescriptor } from '@app/eventsourcing';
import type { StoredEvent } from '@app/event-store';
import { streamName } from '../../common/domain/stream-name';
import { ExecutionErrors } from './execution-errors';
import { EXECUTION_REMOVED, EXECUTION_SET, type ExecutionEvent, type ExecutionTargetRef, toExecutionEvent } from './execution-events';

/** An execution: the ordered targets called when its condition (the id) occurs. */
export class ExecutionAggregate extends EventSourcedAggregate<ExecutionEvent> {
  private currentTargets: readonly ExecutionTargetRef[] = [];

  constructor(id: string) {
    super(id);
  }

  /** An execution exists when its last set had at least one target and no removal followed. */
  get exists(): boolean {
    return this.currentTargets.length > 0;
  }

  get targets(): readonly ExecutionTargetRef[] {
    return this.currentTargets;
  }

  /** Replaces the target list. References must have been checked by the caller. */
  set(targets: readonly ExecutionTargetRef[]): void {
    if (targets.length === 0) throw ExecutionErrors.noTargets();
    this.raise({ type: EXECUTION_SET, data: { targets: targets.map((ref) => ({ ...ref })) } });
  }

  remove(): void {
    if (!this.exists) throw ExecutionErrors.executionNotFound();
    this.raise({ type: EXECUTION_REMOVED, data: {} });
  }

  protected apply(event: ExecutionEvent): void {
    this.currentTargets = event.type === EXECUTION_SET ? event.data.targets : [];
  }
}

export const executionDescriptor: AggregateDescriptor<ExecutionAggregate, ExecutionEvent> = {
  streamName: (instance, id) => streamName('execution', instance, id),
  create: (id) => new ExecutionAggregate(id),
  toDomainEvent: (event: StoredEvent) => toExecutionEvent(event.type, event.data),
};
