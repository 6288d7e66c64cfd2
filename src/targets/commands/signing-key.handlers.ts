import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { handleCommand } from '@app/eventsourcing';
import type { EncryptedSecret } from '../../common/crypto/encrypted-secret';
import { SECRET_BOX, type SecretBox } from '../../common/crypto/secret-box';
import { detailsOf } from '../../common/domain/object-details';
import { newSigningKey } from '../domain/signing-key';
import { TargetErrors } from '../domain/target-errors';
import { EnsureTargetSigningKeyCommand, RotateTargetSigningKeyCommand, type TargetSigningKey } from './target.commands';
import { TargetRepository } from './target.repository';

@CommandHandler(RotateTargetSigningKeyCommand)
export class RotateTargetSigningKeyHandler implements ICommandHandler<RotateTargetSigningKeyCommand, Required<TargetSigningKey>> {
  constructor(
    private readonly targets: TargetRepository,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
  ) {}

  async execute(command: RotateTargetSigningKeyCommand): Promise<Required<TargetSigningKey>> {
    const signingKey = newSigningKey();
    const sealed = this.secrets.seal(signingKey);
    const { saved } = await handleCommand(this.targets, command.instanceId, command.targetId, (target) => target.setSigningKey(sealed), {
      metadata: { actor: command.actor },
    });
    return { signingKey, details: detailsOf(saved!.nextExpectedRevision, saved!.createdAt, command.instanceId) };
  }
}

@CommandHandler(EnsureTargetSigningKeyCommand)
export class EnsureTargetSigningKeyHandler implements ICommandHandler<EnsureTargetSigningKeyCommand, TargetSigningKey> {
  constructor(
    private readonly targets: TargetRepository,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
  ) {}

  async execute(command: EnsureTargetSigningKeyCommand): Promise<TargetSigningKey> {
    const fresh = newSigningKey();
    const sealedFresh = this.secrets.seal(fresh);
    let existing: EncryptedSecret | undefined;
    // Decided again on a concurrency conflict, so two first needs at once agree on one key.
    const { saved } = await handleCommand(
      this.targets,
      command.instanceId,
      command.targetId,
      (target) => {
        if (!target.exists) throw TargetErrors.notFound();
        existing = target.signingKey;
        if (existing === undefined) target.setSigningKey(sealedFresh);
      },
      { metadata: { actor: command.actor } },
    );
    if (existing !== undefined) return { signingKey: this.secrets.open(existing) };
    return { signingKey: fresh, details: detailsOf(saved!.nextExpectedRevision, saved!.createdAt, command.instanceId) };
  }
}
