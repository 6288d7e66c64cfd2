import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { handleCommand } from '@app/eventsourcing';
import { detailsOf, type ObjectDetails } from '../../common/domain/object-details';
import { checkedConditionId } from '../domain/condition-rules';
import { DeleteExecutionCommand } from './delete-execution.command';
import { ExecutionRepository } from './execution.repository';

/** Delete does not consult the catalogue: any valid condition that was never set is a 404. */
@CommandHandler(DeleteExecutionCommand)
export class DeleteExecutionHandler implements ICommandHandler<DeleteExecutionCommand, ObjectDetails> {
  constructor(private readonly executions: ExecutionRepository) {}

  async execute(command: DeleteExecutionCommand): Promise<ObjectDetails> {
    const id = checkedConditionId(command.condition, 'condition');
    const { saved } = await handleCommand(this.executions, command.instanceId, id, (execution) => execution.remove(), {
      metadata: { actor: command.actor },
    });
    // remove() always raises an event or throws, so something was saved.
    return detailsOf(saved!.nextExpectedRevision, saved!.createdAt, command.instanceId);
  }
}
