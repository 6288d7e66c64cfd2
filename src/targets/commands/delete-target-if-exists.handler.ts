import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiError } from '../../common/errors/api-error';
import { TargetErrors } from '../domain/target-errors';
import { DeleteTargetCommand, DeleteTargetIfExistsCommand, type TargetDeletion } from './target.commands';
import { TargetRepository } from './target.repository';

/** A live target is deleted through DeleteTarget (names, cleanup and all); a gone one answers its removal date. */
@CommandHandler(DeleteTargetIfExistsCommand)
export class DeleteTargetIfExistsHandler implements ICommandHandler<DeleteTargetIfExistsCommand, TargetDeletion> {
  constructor(
    private readonly targets: TargetRepository,
    private readonly commands: CommandBus,
  ) {}

  async execute(command: DeleteTargetIfExistsCommand): Promise<TargetDeletion> {
    const { instanceId, targetId } = command;
    if ((await this.targets.load(instanceId, targetId)).exists) {
      try {
        const details = await this.commands.execute(new DeleteTargetCommand(instanceId, targetId, command.actor));
        return { deletionDate: details.changeDate };
      } catch (error) {
        // Removed meanwhile by someone else: answered below like any removed target.
        if (!(error instanceof ApiError) || error.id !== TargetErrors.notFoundOnDelete().id) throw error;
      }
    }
    const deletionDate = await this.targets.removalDate(instanceId, targetId);
    return deletionDate ? { deletionDate } : {};
  }
}
