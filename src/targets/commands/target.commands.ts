import { Command } from '@nestjs/cqrs';
import type { ObjectDetails } from '../../common/domain/object-details';
import type { TargetSpec } from '../domain/target-rules';

export interface CreatedTarget {
  id: string;
  details: ObjectDetails;
}

/** Adds a target; every field of `spec` is required (the domain names what is missing). */
export class CreateTargetCommand extends Command<CreatedTarget> {
  constructor(
    readonly instanceId: string,
    readonly spec: Partial<TargetSpec>,
    readonly actor: string,
  ) {
    super();
  }
}

/** Changes any subset of a target's fields. */
export class UpdateTargetCommand extends Command<ObjectDetails> {
  constructor(
    readonly instanceId: string,
    readonly targetId: string,
    readonly change: Partial<TargetSpec>,
    readonly actor: string,
  ) {
    super();
  }
}

export class DeleteTargetCommand extends Command<ObjectDetails> {
  constructor(
    readonly instanceId: string,
    readonly targetId: string,
    readonly actor: string,
  ) {
    super();
  }
}
