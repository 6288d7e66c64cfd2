import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { handleCommand } from '@app/eventsourcing';
import { detailsOf, type ObjectDetails } from '../../common/domain/object-details';
import { DeleteTargetCommand } from './target.commands';
import { TargetNames } from './target-names';
import { TargetRepository } from './target.repository';

@CommandHandler(DeleteTargetCommand)
export class DeleteTargetHandler implements ICommandHandler<DeleteTargetCommand, ObjectDetails> {
  constructor(
    private readonly targets: TargetRepository,
    private readonly names: TargetNames,
  ) {}

  async execute(command: DeleteTargetCommand): Promise<ObjectDetails> {
    const { instanceId, targetId } = command;
    let name: string | undefined;
    const { saved } = await handleCommand(
      this.targets,
      instanceId,
      targetId,
      (target) => {
        name = target.state?.name;
        target.remove();
      },
      { metadata: { actor: command.actor } },
    );
    if (name !== undefined) await this.names.release(instanceId, name, targetId);
    return detailsOf(saved!.nextExpectedRevision, saved!.createdAt, instanceId);
  }
}
