import { Command } from '@nestjs/cqrs';
import type { ObjectDetails } from '../../common/domain/object-details';
import type { TargetSpec } from '../domain/target-rules';

export interface CreatedTarget {
  id: string;
  details: ObjectDetails;
  /** The new target's signing key, in clear: for the caller that created it. */
  signingKey: string;
}

export interface TargetSigningKey {
  signingKey: string;
  /** Set when the command stored an event. */
  details?: ObjectDetails;
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

/** Replaces a target's signing key with a new one; answers the new key. */
export class RotateTargetSigningKeyCommand extends Command<Required<TargetSigningKey>> {
  constructor(
    readonly instanceId: string,
    readonly targetId: string,
    readonly actor: string,
  ) {
    super();
  }
}

/**
 * Answers a target's signing key in clear, generating and recording one first when the target
 * was added before keys existed. NotFound for a missing target.
 */
export class EnsureTargetSigningKeyCommand extends Command<TargetSigningKey> {
  constructor(
    readonly instanceId: string,
    readonly targetId: string,
    readonly actor: string,
  ) {
    super();
  }
}

/** What deleting a target that may be gone answers: its removal date, or none for an id that never existed. */
export interface TargetDeletion {
  deletionDate?: Date;
}

/**
 * Removes a target and succeeds also when it is gone, as the ActionService v2 and v2beta
 * DeleteTarget does: a removed target answers its removal date, an unknown id nothing.
 */
export class DeleteTargetIfExistsCommand extends Command<TargetDeletion> {
  constructor(
    readonly instanceId: string,
    readonly targetId: string,
    readonly actor: string,
  ) {
    super();
  }
}
