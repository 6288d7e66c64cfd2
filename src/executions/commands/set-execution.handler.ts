import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { handleCommand } from '@app/eventsourcing';
import { Catalogue } from '../../catalogue/catalogue';
import { detailsOf, type ObjectDetails } from '../../common/domain/object-details';
import { TargetRepository } from '../../targets/commands/target.repository';
import { checkedConditionId } from '../domain/condition-rules';
import type { ExecutionAggregate } from '../domain/execution.aggregate';
import { ExecutionErrors } from '../domain/execution-errors';
import { ExecutionTargetKind, type ExecutionTargetRef } from '../domain/execution-events';
import { checkIncludes } from '../domain/include-rules';
import { checkNoRepeats, checkTargetCount, DEFAULT_MAX_TARGETS_PER_EXECUTION } from '../domain/target-list-rules';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { checkConditionInCatalogue } from './catalogue-check';
import { ExecutionRepository } from './execution.repository';
import { SetExecutionCommand } from './set-execution.command';

@CommandHandler(SetExecutionCommand)
export class SetExecutionHandler implements ICommandHandler<SetExecutionCommand, ObjectDetails> {
  constructor(
    private readonly executions: ExecutionRepository,
    private readonly targets: TargetRepository,
    private readonly catalogue: Catalogue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(command: SetExecutionCommand): Promise<ObjectDetails> {
    const { instanceId } = command;
    const id = checkedConditionId(command.condition, 'condition');
    checkConditionInCatalogue(this.catalogue, command.condition);
    if (command.targets.length === 0) throw ExecutionErrors.noTargets();
    checkTargetCount(command.targets.length, this.config.maxTargetsPerExecution ?? DEFAULT_MAX_TARGETS_PER_EXECUTION);
    const refs = command.targets.map((entry, index): ExecutionTargetRef =>
      'include' in entry
        ? { type: ExecutionTargetKind.Include, target: checkedConditionId(entry.include, `targets[${index}].include`) }
        : { type: ExecutionTargetKind.Target, target: entry.target },
    );
    checkNoRepeats(refs);
    // References are checked against the write side (the event store), never the read model.
    await checkIncludes(id, refs, async (executionId) => {
      const execution = await this.executions.load(instanceId, executionId);
      return execution.exists ? execution.targets : undefined;
    });
    await this.checkTargetsExist(instanceId, refs);
    const decide = (execution: ExecutionAggregate): void => {
      if (!command.unchangedAppendsNothing || !execution.hasTargets(refs)) execution.set(refs);
    };
    const { saved } = await handleCommand(this.executions, instanceId, id, decide, { metadata: { actor: command.actor } });
    if (saved) return detailsOf(saved.nextExpectedRevision, saved.createdAt, instanceId);
    // The list was already so: the execution exists, so its stream has a last event.
    const last = await this.executions.lastChange(instanceId, id);
    return detailsOf(last!.revision, last!.createdAt, instanceId);
  }

  private async checkTargetsExist(instanceId: string, refs: readonly ExecutionTargetRef[]): Promise<void> {
    const ids = [...new Set(refs.filter((ref) => ref.type === ExecutionTargetKind.Target).map((ref) => ref.target))];
    const found = await Promise.all(ids.map((targetId) => this.targets.exists(instanceId, targetId)));
    if (found.includes(false)) throw ExecutionErrors.targetNotFound();
  }
}
