import { Command } from '@nestjs/cqrs';
import type { ObjectDetails } from '../../common/domain/object-details';

/**
 * Takes a (removed) target out of an execution's current list: the rest is set, or the
 * execution is removed when nothing is left. Resolves to undefined when the execution does not
 * list the target (any more), so sending it again changes nothing.
 */
export class RemoveTargetFromExecutionCommand extends Command<ObjectDetails | undefined> {
  constructor(
    readonly instanceId: string,
    /** The execution's id: its condition id, as in its stream name. */
    readonly executionId: string,
    readonly targetId: string,
    readonly actor: string,
  ) {
    super();
  }
}
