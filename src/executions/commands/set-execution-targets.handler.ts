import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { handleCommand } from '@app/eventsourcing';
import { checkedConditionId } from '../domain/condition-rules';
import { ExecutionRepository } from './execution.repository';
import { SetExecutionCommand } from './set-execution.command';
import { SetExecutionTargetsCommand, type ExecutionTargetsSet } from './set-execution-targets.command';

/**
 * A non-empty list goes through SetExecution, so every rule of a set (catalogue, target
 * existence, list limits) applies once, in one place. An empty list removes like
 * DeleteExecution, without the catalogue: an execution whose method has left the catalogue
 * can still be removed.
 */
@CommandHandler(SetExecutionTargetsCommand)
export class SetExecutionTargetsHandler implements ICommandHandler<SetExecutionTargetsCommand, ExecutionTargetsSet> {
  constructor(
    private readonly executions: ExecutionRepository,
    private readonly commands: CommandBus,
  ) {}

  async execute(command: SetExecutionTargetsCommand): Promise<ExecutionTargetsSet> {
    const { instanceId, condition, actor } = command;
    if (command.targetIds.length > 0) {
      const targets = command.targetIds.map((target) => ({ target }));
      const details = await this.commands.execute(new SetExecutionCommand(instanceId, condition, targets, actor, true));
      return { setDate: details.changeDate };
    }
    const id = checkedConditionId(condition, 'condition');
    const { saved } = await handleCommand(this.executions, instanceId, id, (execution) => execution.removeIfExists(), { metadata: { actor } });
    return saved ? { setDate: saved.createdAt } : {};
  }
}
