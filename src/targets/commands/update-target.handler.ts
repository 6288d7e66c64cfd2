import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { handleCommand } from '@app/eventsourcing';
import { NetworkPolicy } from '../../common/network/network-policy';
import { detailsOf, type ObjectDetails } from '../../common/domain/object-details';
import { TargetErrors } from '../domain/target-errors';
import { checkEndpointReachable, checkTargetChange } from '../domain/target-rules';
import { UpdateTargetCommand } from './target.commands';
import { TargetNames } from './target-names';
import { TargetRepository } from './target.repository';

@CommandHandler(UpdateTargetCommand)
export class UpdateTargetHandler implements ICommandHandler<UpdateTargetCommand, ObjectDetails> {
  constructor(
    private readonly targets: TargetRepository,
    private readonly names: TargetNames,
    private readonly network: NetworkPolicy,
  ) {}

  async execute(command: UpdateTargetCommand): Promise<ObjectDetails> {
    const { instanceId, targetId, change } = command;
    const current = await this.targets.load(instanceId, targetId);
    if (!current.state) throw TargetErrors.notFound();
    checkTargetChange(change);
    checkEndpointReachable(change.endpoint, (host) => this.network.allowsEndpointHost(host));
    const newName = change.name !== undefined && change.name !== current.state.name ? change.name : undefined;
    if (newName !== undefined) await this.names.reserve(instanceId, newName, targetId);

    let previousName: string | undefined;
    let handled;
    try {
      handled = await handleCommand(
        this.targets,
        instanceId,
        targetId,
        (target) => {
          previousName = target.state?.name;
          target.change(change);
        },
        { metadata: { actor: command.actor } },
      );
    } catch (error) {
      if (newName !== undefined) await this.names.release(instanceId, newName, targetId);
      throw error;
    }
    if (previousName !== undefined && newName !== undefined && previousName !== newName) {
      await this.names.release(instanceId, previousName, targetId);
    }

    const { saved } = handled;
    if (saved) return detailsOf(saved.nextExpectedRevision, saved.createdAt, instanceId);
    // Nothing changed: answer with the details of the target as it is.
    const unchanged = await this.targets.load(instanceId, targetId);
    const changeDate = await this.targets.lastChangeDate(instanceId, targetId);
    if (!unchanged.exists || !changeDate) throw TargetErrors.notFound();
    return detailsOf(unchanged.version, changeDate, instanceId);
  }
}
