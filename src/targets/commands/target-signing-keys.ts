import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { EncryptedSecret } from '../../common/crypto/encrypted-secret';
import { SECRET_BOX, type SecretBox } from '../../common/crypto/secret-box';
import { EnsureTargetSigningKeyCommand } from './target.commands';

/** Who a key generated on first need is recorded as created by. */
export const SYSTEM_ACTOR = 'system';

/** Opens a target's sealed signing key, giving the target its first key when it has none yet. */
@Injectable()
export class TargetSigningKeys {
  constructor(
    private readonly commands: CommandBus,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
  ) {}

  async reveal(instanceId: string, targetId: string, sealed: EncryptedSecret | undefined): Promise<string> {
    if (sealed !== undefined) return this.secrets.open(sealed);
    const { signingKey } = await this.commands.execute(new EnsureTargetSigningKeyCommand(instanceId, targetId, SYSTEM_ACTOR));
    return signingKey;
  }
}
