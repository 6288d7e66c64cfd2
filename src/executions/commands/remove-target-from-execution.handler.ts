import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { handleCommand } from '@app/eventsourcing';
import { detailsOf, type ObjectDetails } from '../../common/domain/object-details';
import { ExecutionRepository } from './execution.repository';
import { RemoveTargetFromExecutionCommand } from './remove-target-from-execution.command';

/**
 * Decided inside the aggregate on the list as stored, with the optimistic-concurrency retry: a
 * change appended meanwhile makes the append fail, and the decision is taken again on the new
 * list, so that change is never overwritten. No references are checked: the result only ever
 * lists entries the execution already had.
 */
@CommandHandler(RemoveTargetFromExecutionCommand)
export class RemoveTargetFromExecutionHandler implements ICommandHandler<RemoveTargetFromExecutionCommand, ObjectDetails | undefined> {
  constructor(private readonly executions: ExecutionRepository) {}

  async execute(command: RemoveTargetFromExecutionCommand): Promise<ObjectDetails | undefined> {
    const { saved } = await handleCommand(this.executions, command.instanceId, command.executionId, (execution) => execution.removeTarget(command.targetId), {
      metadata: { actor: command.actor },
    });
    return saved && detailsOf(saved.nextExpectedRevision, saved.createdAt, command.instanceId);
  }
}
