import { EventSourcedAggregate, type AggregateDescriptor } from '@app/eventsourcing';
import type { StoredEvent } from '@app/event-store';
import { streamName } from '../../common/domain/stream-name';
import { ExecutionErrors } from './execution-errors';
import { EXECUTION_REMOVED, EXECUTION_SET, ExecutionTargetKind, type ExecutionEvent, type ExecutionTargetRef, toExecutionEvent } from './execution-events';

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

  /** Removes the execution if it exists; nothing to do (and no event) when it does not. */
  removeIfExists(): void {
    if (this.exists) this.raise({ type: EXECUTION_REMOVED, data: {} });
  }

  /** Whether the current list is exactly `targets`, entry by entry and in order. */
  hasTargets(targets: readonly ExecutionTargetRef[]): boolean {
    return (
      targets.length === this.currentTargets.length &&
      targets.every((ref, index) => ref.type === this.currentTargets[index].type && ref.target === this.currentTargets[index].target)
    );
  }

  /**
   * Takes the target `targetId` out of the current list: the rest stays as it is (includes too),
   * or the execution is removed when nothing is left. Decided on the list as stored, so a change
   * made meanwhile by someone else is kept; no event when the list does not name the target.
   */
  removeTarget(targetId: string): void {
    const remaining = this.currentTargets.filter((ref) => ref.type !== ExecutionTargetKind.Target || ref.target !== targetId);
    if (remaining.length === this.currentTargets.length) return;
    if (remaining.length === 0) this.raise({ type: EXECUTION_REMOVED, data: {} });
    else this.raise({ type: EXECUTION_SET, data: { targets: remaining.map((ref) => ({ ...ref })) } });
  }

  protected apply(event: ExecutionEvent): void {
    this.currentTargets = event.type === EXECUTION_SET ? event.data.targets : [];
  }
}

export const executionDescriptor: AggregateDescriptor<ExecutionAggregate, ExecutionEvent> = {
  streamName: (instance, id) => streamName('execution', instance, id),
  create: (id) => new ExecutionAggregate(id),
  toDomainEvent: (event: StoredEvent) => toExecutionEvent(event.type, event.data),
  // A set carries the whole target list and a removal clears it: re-setting an execution
  // many times must not make each later command replay all of it.
  stateFromLatestEvent: true,
};
