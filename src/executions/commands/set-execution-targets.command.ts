import { Command } from '@nestjs/cqrs';
import type { Condition } from '../domain/condition';

/** What setting a plain target list answers: the date of the change, or none when nothing was there to remove. */
export interface ExecutionTargetsSet {
  /** The appended event's date, or the last change's when the list was already so. */
  setDate?: Date;
}

/**
 * Sets the execution of `condition` to exactly these target ids (no includes), as the
 * ActionService v2 and v2beta SetExecution does: an empty list removes the execution and
 * succeeds also when there is none; a list equal to the current one appends nothing.
 */
export class SetExecutionTargetsCommand extends Command<ExecutionTargetsSet> {
  constructor(
    readonly instanceId: string,
    readonly condition: Condition,
    readonly targetIds: readonly string[],
    /** Subject of the caller, recorded with the event. */
    readonly actor: string,
  ) {
    super();
  }
}
