import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { EventStore, StoredEvent } from '@app/event-store';
import { AggregateRepository, type EventSubscriber } from '@app/eventsourcing';
import { ProjectionEngine } from '@app/eventsourcing/projections/projection-engine';
import type { DataSource } from 'typeorm';
import { streamParts } from '../common/domain/stream-name';
import { DeleteExecutionCommand } from '../executions/commands/delete-execution.command';
import { SetExecutionCommand, type ExecutionTargetInput } from '../executions/commands/set-execution.command';
import { idToCondition, type Condition } from '../executions/domain/condition';
import { ExecutionAggregate, executionDescriptor } from '../executions/domain/execution.aggregate';
import { EXECUTION_SET, ExecutionTargetKind, toExecutionEvent, type ExecutionEvent, type ExecutionTargetRef } from '../executions/domain/execution-events';
import { ExecutionTargetEntity } from '../executions/projection/execution.entities';
import { executionsProjection } from '../executions/projection/executions.projection';
import { targetDescriptor } from '../targets/domain/target.aggregate';
import { TARGET_REMOVED } from '../targets/domain/target-events';
import { runWithRequestContext } from '../observability/request/request-context';
import { EVENT_STORE, READ_MODEL } from '../persistence/persistence.tokens';
import { EXECUTION_TARGET_CLEANUP, EXECUTION_TARGET_CLEANUP_EVENTS } from './built-in-subscribers';

export { EXECUTION_TARGET_CLEANUP };

/** Recorded as the actor of the changes this subscriber makes. */
export const CLEANUP_ACTOR = `subscriber:${EXECUTION_TARGET_CLEANUP}`;

/**
 * Keeps executions from pointing at deleted targets: when a target is removed, every execution
 * of that instance listing it is updated through the CommandBus — the target is dropped from
 * its list, and an execution left without targets is deleted. Includes are left as they are,
 * except those naming an execution that no longer exists: SetExecution refuses them
 * (COMMAND-slgj0l4cdz), and they include nothing anyway.
 *
 * SetExecution already refuses a target that does not exist (COMMAND-17e8fq1ggk), but a set
 * can pass that check just before the target's removal is appended; such a set lands after the
 * removal in the log, so `execution.v2.set` events are checked too.
 *
 * Idempotent: the execution's current list is read from its stream (the write side), and an
 * execution that no longer lists the target is left alone, so a redelivered event changes
 * nothing. The commands carry the handled event's correlation id, and its id as causation.
 */
@Injectable()
export class ExecutionTargetCleanup implements EventSubscriber {
  readonly name = EXECUTION_TARGET_CLEANUP;
  readonly eventTypes = EXECUTION_TARGET_CLEANUP_EVENTS;
  private readonly executions: AggregateRepository<ExecutionAggregate, ExecutionEvent>;

  constructor(
    private readonly commands: CommandBus,
    private readonly engine: ProjectionEngine,
    @Inject(READ_MODEL) private readonly readModel: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {
    this.executions = new AggregateRepository(store, executionDescriptor);
  }

  async handle(event: StoredEvent): Promise<void> {
    const context = { correlationId: event.metadata.correlationId ?? event.id, causationId: event.id };
    await runWithRequestContext(context, async () => {
      if (event.type === TARGET_REMOVED) await this.onTargetRemoved(event);
      else await this.onExecutionSet(event);
    });
  }

  private async onTargetRemoved(event: StoredEvent): Promise<void> {
    const [instance, targetId] = streamParts('target', event.stream) ?? [];
    if (instance === undefined || targetId === undefined) return;
    // The read model only finds the candidates; it must have seen every set before the removal.
    await this.engine.waitForPosition(event.position, { name: executionsProjection.name });
    const executionIds = await this.executionsListing(instance, targetId);
    await this.cleanUp(instance, executionIds, async (ref) => ref.target === targetId);
  }

  /**
   * Acts only for targets whose removal the log shows before this set (the race above). A
   * removal after it is handled when the subscriber reaches it, in log order, like any other.
   */
  private async onExecutionSet(event: StoredEvent): Promise<void> {
    const [instance, executionId] = streamParts('execution', event.stream) ?? [];
    const set = toExecutionEvent(event.type, event.data);
    if (instance === undefined || executionId === undefined || set?.type !== EXECUTION_SET) return;
    const removedBefore = async (ref: ExecutionTargetRef): Promise<boolean> => {
      const removedAt = await this.removedAt(instance, ref.target);
      return removedAt !== undefined && removedAt < event.position;
    };
    // The common case costs one point read per target of the set, and nothing more.
    let raced = false;
    for (const ref of set.data.targets) if (ref.type === ExecutionTargetKind.Target && (await removedBefore(ref))) raced = true;
    if (raced) await this.cleanUp(instance, [executionId], removedBefore);
  }

  /** Position of the target's removal; 0 for a target that never existed; undefined while it exists. */
  private async removedAt(instance: string, targetId: string): Promise<number | undefined> {
    const [last] = await this.store.readStream(targetDescriptor.streamName(instance, targetId), { direction: 'backwards', maxCount: 1 });
    if (!last) return 0;
    return last.type === TARGET_REMOVED ? last.position : undefined;
  }

  /**
   * For each execution with an entry `triggers` selects: sets the entries SetExecution accepts
   * (every target that is gone is dropped, not only the triggering one, and includes of
   * executions that no longer exist, which it refuses too), or deletes the execution when
   * nothing is left. Sets before deletes: an execution including another one being emptied is
   * set while that one still exists, since SetExecution checks that includes exist.
   */
  private async cleanUp(instance: string, executionIds: readonly string[], triggers: (ref: ExecutionTargetRef) => Promise<boolean>): Promise<void> {
    const deletions: Condition[] = [];
    for (const executionId of executionIds) {
      const execution = await this.executions.load(instance, executionId);
      const condition = idToCondition(executionId);
      if (!execution.exists || !condition) continue;
      let triggered = false;
      for (const ref of execution.targets) if (ref.type === ExecutionTargetKind.Target && (await triggers(ref))) triggered = true;
      if (!triggered) continue;
      const remaining: ExecutionTargetRef[] = [];
      for (const ref of execution.targets) if (await this.isAccepted(instance, ref)) remaining.push(ref);
      if (remaining.length === 0) deletions.push(condition);
      else await this.commands.execute(new SetExecutionCommand(instance, condition, remaining.map(targetInput), CLEANUP_ACTOR));
    }
    for (const condition of deletions) await this.commands.execute(new DeleteExecutionCommand(instance, condition, CLEANUP_ACTOR));
  }

  private async isAccepted(instance: string, ref: ExecutionTargetRef): Promise<boolean> {
    if (ref.type === ExecutionTargetKind.Target) return (await this.removedAt(instance, ref.target)) === undefined;
    return idToCondition(ref.target) !== undefined && (await this.executions.load(instance, ref.target)).exists;
  }

  private async executionsListing(instance: string, targetId: string): Promise<string[]> {
    const rows = await this.readModel
      .getRepository(ExecutionTargetEntity)
      .createQueryBuilder('entry')
      .select('DISTINCT entry.executionId', 'executionId')
      .where('entry.instance = :instance AND entry.type = :type AND entry.target = :target', { instance, type: ExecutionTargetKind.Target, target: targetId })
      .orderBy('entry.executionId')
      .getRawMany<{ executionId: string }>();
    return rows.map((row) => row.executionId);
  }
}

/** Only called for accepted entries, whose include ids are condition ids. */
function targetInput(ref: ExecutionTargetRef): ExecutionTargetInput {
  return ref.type === ExecutionTargetKind.Target ? { target: ref.target } : { include: idToCondition(ref.target)! };
}
