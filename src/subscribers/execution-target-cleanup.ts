import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { EventStore, StoredEvent } from '@app/event-store';
import { AggregateRepository, type EventSubscriber } from '@app/eventsourcing';
import { ProjectionEngine } from '@app/eventsourcing/projections/projection-engine';
import type { DataSource } from 'typeorm';
import { streamParts } from '../common/domain/stream-name';
import { DeleteExecutionCommand } from '../executions/commands/delete-execution.command';
import { SetExecutionCommand, type ExecutionTargetInput } from '../executions/commands/set-execution.command';
import { idToCondition } from '../executions/domain/condition';
import { ExecutionAggregate, executionDescriptor } from '../executions/domain/execution.aggregate';
import { ExecutionTargetKind, type ExecutionEvent, type ExecutionTargetRef } from '../executions/domain/execution-events';
import { ExecutionTargetEntity } from '../executions/projection/execution.entities';
import { executionsProjection } from '../executions/projection/executions.projection';
import { TargetRepository } from '../targets/commands/target.repository';
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
 * its list, and an execution left without targets is deleted. Includes are left as they are.
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
    private readonly targets: TargetRepository,
    @Inject(READ_MODEL) private readonly readModel: DataSource,
    @Inject(EVENT_STORE) store: EventStore,
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
    // Other targets of the list removed meanwhile go too: SetExecution would refuse them.
    await this.dropTargets(instance, executionIds, async (ref) => ref.target === targetId || !(await this.targetExists(instance, ref.target)));
  }

  private async onExecutionSet(event: StoredEvent): Promise<void> {
    const [instance, executionId] = streamParts('execution', event.stream) ?? [];
    if (instance === undefined || executionId === undefined) return;
    await this.dropTargets(instance, [executionId], async (ref) => !(await this.targetExists(instance, ref.target)));
  }

  private async targetExists(instance: string, targetId: string): Promise<boolean> {
    return (await this.targets.load(instance, targetId)).exists;
  }

  /**
   * Sets before deletes: an execution that includes another one being emptied is set while
   * that one still exists, since SetExecution checks that includes exist.
   */
  private async dropTargets(instance: string, executionIds: readonly string[], isGone: (ref: ExecutionTargetRef) => Promise<boolean>): Promise<void> {
    const deletions: string[] = [];
    for (const executionId of executionIds) {
      const execution = await this.executions.load(instance, executionId);
      if (!execution.exists) continue;
      const remaining: ExecutionTargetRef[] = [];
      for (const ref of execution.targets) {
        if (ref.type !== ExecutionTargetKind.Target || !(await isGone(ref))) remaining.push(ref);
      }
      if (remaining.length === execution.targets.length) continue;
      if (remaining.length === 0) {
        deletions.push(executionId);
        continue;
      }
      const condition = idToCondition(executionId);
      if (!condition) continue;
      await this.commands.execute(new SetExecutionCommand(instance, condition, remaining.map((ref) => targetInput(ref)), CLEANUP_ACTOR));
    }
    for (const executionId of deletions) {
      const condition = idToCondition(executionId);
      if (condition) await this.commands.execute(new DeleteExecutionCommand(instance, condition, CLEANUP_ACTOR));
    }
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

function targetInput(ref: ExecutionTargetRef): ExecutionTargetInput {
  if (ref.type === ExecutionTargetKind.Target) return { target: ref.target };
  const include = idToCondition(ref.target);
  // Stored includes were validated when set; an unreadable one is kept out rather than guessed.
  if (!include) throw new Error(`Execution include "${ref.target}" is not a condition id`);
  return { include };
}
