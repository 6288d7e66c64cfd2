import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { EventStore, StoredEvent } from '@app/event-store';
import type { EventSubscriber } from '@app/eventsourcing';
import { ProjectionEngine } from '@app/eventsourcing/projections/projection-engine';
import type { DataSource } from 'typeorm';
import { streamParts } from '../common/domain/stream-name';
import { RemoveTargetFromExecutionCommand } from '../executions/commands/remove-target-from-execution.command';
import { EXECUTION_SET, ExecutionTargetKind, toExecutionEvent } from '../executions/domain/execution-events';
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
 * of that instance listing it gets a RemoveTargetFromExecutionCommand through the CommandBus —
 * the execution drops the target from its list as stored, or is removed when nothing is left.
 * Includes are left as they are. The decision is the execution's own, taken with optimistic
 * concurrency (a change appended meanwhile makes it decide again on the new list), so a user's
 * SetExecution racing the cleanup is never overwritten.
 *
 * SetExecution already refuses a target that does not exist (COMMAND-17e8fq1ggk), but a set
 * can pass that check just before the target's removal is appended; such a set lands after the
 * removal in the log, so `execution.v2.set` events are checked too.
 *
 * Idempotent: an execution that no longer lists the target is left alone, so a redelivered
 * event changes nothing. The commands carry the handled event's correlation id, and its id as
 * causation.
 */
@Injectable()
export class ExecutionTargetCleanup implements EventSubscriber {
  readonly name = EXECUTION_TARGET_CLEANUP;
  readonly eventTypes = EXECUTION_TARGET_CLEANUP_EVENTS;

  constructor(
    private readonly commands: CommandBus,
    private readonly engine: ProjectionEngine,
    @Inject(READ_MODEL) private readonly readModel: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

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
    for (const executionId of await this.executionsListing(instance, targetId)) await this.removeTarget(instance, executionId, targetId);
  }

  /**
   * Acts only for targets whose removal the log shows before this set (the race above). A
   * removal after it is handled when the subscriber reaches it, in log order, like any other.
   */
  private async onExecutionSet(event: StoredEvent): Promise<void> {
    const [instance, executionId] = streamParts('execution', event.stream) ?? [];
    const set = toExecutionEvent(event.type, event.data);
    if (instance === undefined || executionId === undefined || set?.type !== EXECUTION_SET) return;
    // The common case costs one point read per target of the set, and nothing more.
    for (const ref of set.data.targets) {
      if (ref.type !== ExecutionTargetKind.Target) continue;
      const removedAt = await this.removedAt(instance, ref.target);
      if (removedAt !== undefined && removedAt < event.position) await this.removeTarget(instance, executionId, ref.target);
    }
  }

  /** Position of the target's removal; 0 for a target that never existed; undefined while it exists. */
  private async removedAt(instance: string, targetId: string): Promise<number | undefined> {
    const [last] = await this.store.readStream(targetDescriptor.streamName(instance, targetId), { direction: 'backwards', maxCount: 1 });
    if (!last) return 0;
    return last.type === TARGET_REMOVED ? last.position : undefined;
  }

  /** Decided by the execution on its list as stored when the command runs (see the class comment). */
  private async removeTarget(instance: string, executionId: string, targetId: string): Promise<void> {
    await this.commands.execute(new RemoveTargetFromExecutionCommand(instance, executionId, targetId, CLEANUP_ACTOR));
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
