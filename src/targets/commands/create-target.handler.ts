import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { handleCommand } from '@app/eventsourcing';
import { NetworkPolicy } from '../../common/network/network-policy';
import { SECRET_BOX, type SecretBox } from '../../common/crypto/secret-box';
import { detailsOf } from '../../common/domain/object-details';
import { newSigningKey } from '../domain/signing-key';
import { newTargetId } from '../domain/target-id';
import { checkEndpointReachable, checkNewTarget } from '../domain/target-rules';
import { CreateTargetCommand, type CreatedTarget } from './target.commands';
import { TargetNames } from './target-names';
import { TargetRepository } from './target.repository';

@CommandHandler(CreateTargetCommand)
export class CreateTargetHandler implements ICommandHandler<CreateTargetCommand, CreatedTarget> {
  constructor(
    private readonly targets: TargetRepository,
    private readonly names: TargetNames,
    private readonly network: NetworkPolicy,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
  ) {}

  async execute(command: CreateTargetCommand): Promise<CreatedTarget> {
    const { instanceId, spec } = command;
    // Validate first, so an invalid request never reserves a name.
    checkNewTarget(spec);
    checkEndpointReachable(spec.endpoint, (host) => this.network.allowsEndpointHost(host));
    const id = newTargetId();
    const signingKey = newSigningKey();
    const sealedKey = this.secrets.seal(signingKey);
    await this.names.reserve(instanceId, spec.name, id);
    try {
      const { saved } = await handleCommand(this.targets, instanceId, id, (target) => target.add(spec, sealedKey), { metadata: { actor: command.actor } });
      return { id, details: detailsOf(saved!.nextExpectedRevision, saved!.createdAt, instanceId), signingKey };
    } catch (error) {
      await this.names.release(instanceId, spec.name, id);
      throw error;
    }
  }
}
