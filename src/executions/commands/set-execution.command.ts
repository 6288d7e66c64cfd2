import { Command } from '@nestjs/cqrs';
import type { ObjectDetails } from '../../common/domain/object-details';
import type { Condition } from '../domain/condition';

/** One entry of the requested target list: a target id or another execution's condition. */
export type ExecutionTargetInput = { target: string } | { include: Condition };

/** Creates or replaces the execution of `condition` in instance `instanceId`. */
export class SetExecutionCommand extends Command<ObjectDetails> {
  constructor(
    readonly instanceId: string,
    readonly condition: Condition,
    readonly targets: readonly ExecutionTargetInput[],
    /** Subject of the caller, recorded with the event. */
    readonly actor: string,
    /** When the list equals the current one: append nothing and answer the details of the last change. */
    readonly unchangedAppendsNothing = false,
  ) {
    super();
  }
}
