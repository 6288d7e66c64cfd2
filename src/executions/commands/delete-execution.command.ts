import { Command } from '@nestjs/cqrs';
import type { ObjectDetails } from '../../common/domain/object-details';
import type { Condition } from '../domain/condition';

/** Removes the execution of `condition`; NotFound when it does not exist. */
export class DeleteExecutionCommand extends Command<ObjectDetails> {
  constructor(
    readonly instanceId: string,
    readonly condition: Condition,
    readonly actor: string,
  ) {
    super();
  }
}
