import { create, type MessageInitShape } from '@bufbuild/protobuf';
import type { Condition } from '../../executions/domain/condition';
import { ConditionSchema, type Condition as ConditionMessage, type EventExecution, type RequestExecution } from '../../grpc/gen/zitadel/action/v3alpha/execution_pb';

/** A validated Condition message (exactly one branch, exactly one choice) as a domain condition. */
export function conditionFromMessage(message: ConditionMessage): Condition {
  const branch = message.conditionType;
  switch (branch.case) {
    case 'request':
    case 'response':
      return requestCondition(branch.case, branch.value);
    case 'function':
      return { type: 'function', match: 'name', value: branch.value.name };
    case 'event':
      return eventCondition(branch.value);
    default:
      // Unreachable after validation (the oneof is required).
      throw new TypeError('condition without a branch');
  }
}

function requestCondition(type: 'request' | 'response', message: Pick<RequestExecution, 'condition'>): Condition {
  const choice = message.condition;
  if (choice.case === 'method' || choice.case === 'service') return { type, match: choice.case, value: choice.value };
  return { type, match: 'all' };
}

function eventCondition(message: EventExecution): Condition {
  const choice = message.condition;
  if (choice.case === 'event' || choice.case === 'group') return { type: 'event', match: choice.case, value: choice.value };
  return { type: 'event', match: 'all' };
}

type ConditionInit = MessageInitShape<typeof ConditionSchema>;

/** A domain condition as the Condition message. */
export function conditionToMessage(condition: Condition): ConditionMessage {
  return create(ConditionSchema, conditionInit(condition));
}

function conditionInit(condition: Condition): ConditionInit {
  switch (condition.type) {
    case 'function':
      return { conditionType: { case: 'function', value: { name: condition.match === 'name' ? condition.value : '' } } };
    case 'event':
      return { conditionType: { case: 'event', value: { condition: choiceOf(condition) } } };
    default:
      return { conditionType: { case: condition.type, value: { condition: choiceOf(condition) } } };
  }
}

type Choice = { case: 'method' | 'service' | 'event' | 'group'; value: string } | { case: 'all'; value: boolean };

function choiceOf(condition: Condition): never {
  const choice: Choice = condition.match === 'all' || condition.match === 'name' ? { case: 'all', value: true } : { case: condition.match, value: condition.value };
  // The oneof shapes of request, response and event differ only in their case names.
  return choice as never;
}
