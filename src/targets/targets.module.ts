import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CreateTargetHandler } from './commands/create-target.handler';
import { DeleteTargetHandler } from './commands/delete-target.handler';
import { DeleteTargetIfExistsHandler } from './commands/delete-target-if-exists.handler';
import { EnsureTargetSigningKeyHandler, RotateTargetSigningKeyHandler } from './commands/signing-key.handlers';
import { TargetSigningKeys } from './commands/target-signing-keys';
import { TargetNames } from './commands/target-names';
import { TargetRepository } from './commands/target.repository';
import { UpdateTargetHandler } from './commands/update-target.handler';
import { GetTargetHandler } from './queries/get-target.handler';
import { ListTargetsHandler } from './queries/list-targets.handler';

@Module({
  imports: [CqrsModule],
  providers: [
    TargetRepository,
    TargetNames,
    TargetSigningKeys,
    CreateTargetHandler,
    UpdateTargetHandler,
    DeleteTargetHandler,
    DeleteTargetIfExistsHandler,
    RotateTargetSigningKeyHandler,
    EnsureTargetSigningKeyHandler,
    GetTargetHandler,
    ListTargetsHandler,
  ],
  exports: [TargetRepository, TargetSigningKeys],
})
export class TargetsModule {}
