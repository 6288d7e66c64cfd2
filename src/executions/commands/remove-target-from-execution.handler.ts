import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { handleCommand } from '@app/eventsourcing';
import { Catalogue } from '../../catalogue/catalogue';
import { detailsOf, type ObjectDetails } from '../../common/domain/object-details';
import { idToCondition } from '../domain/condition';
import type { ExecutionAggregate } from '../domain/execution.aggregate';
import { checkConditionInCatalogue } from './catalogue-check';
import { ExecutionRepository } from './execution.repository';
import { RemoveTargetFromExecutionCommand } from './remove-target-from-execution.command';

/**
 * Decided inside the aggregate on the list as stored, with the optimistic-concurrency retry: a
 * change appended meanwhile makes the append fail, and the decision is taken again on the new
 * list, so that change is never overwritten. No references are checked (the result only ever
 * lists entries the execution already had), but the rest is set, like any set, only on a
 * condition the catalogue lists (COMMAND-vysplsevt8 and the like); removing an execution left
 * empty needs no catalogue, as DeleteExecution.
 */
@CommandHandler(RemoveTargetFromExecutionCommand)
export class RemoveTargetFromExecutionHandler implements ICommandHandler<RemoveTargetFromExecutionCommand, ObjectDetails | undefined> {
  constructor(
    private readonly executions: ExecutionRepository,
    private readonly catalogue: Catalogue,
  ) {}

  async execute(command: RemoveTargetFromExecutionCommand): Promise<ObjectDetails | undefined> {
    const condition = idToCondition(command.executionId);
    const decide = (execution: ExecutionAggregate): void => {
      execution.removeTarget(command.targetId);
      if (condition && execution.exists && execution.pendingEvents.length > 0) checkConditionInCatalogue(this.catalogue, condition);
    };
    const { saved } = await handleCommand(this.executions, command.instanceId, command.executionId, decide, { metadata: { actor: command.actor } });
    return saved && detailsOf(saved.nextExpectedRevision, saved.createdAt, command.instanceId);
  }
}
