import type { Condition } from '../../executions/domain/condition';

/**
 * A Condition message as v2 and v2beta (and v3alpha) share its shape: exactly one branch, and in
 * it exactly one choice. Structural, so the generated messages of every package fit.
 */
export interface ConditionMessage {
  conditionType:
    | { case: 'request' | 'response'; value: { condition: Choice<'method' | 'service'> } }
    | { case: 'function'; value: { name: string } }
    | { case: 'event'; value: { condition: Choice<'event' | 'group'> } }
    | { case: undefined; value?: undefined };
}

type Choice<Named extends string> = { case: Named; value: string } | { case: 'all'; value: boolean } | { case: undefined; value?: undefined };

/** A validated Condition message as a domain condition. */
export function conditionFromMessage(message: ConditionMessage): Condition {
  const branch = message.conditionType;
  switch (branch.case) {
    case 'request':
    case 'response': {
      const choice = branch.value.condition;
      return choice.case === 'method' || choice.case === 'service' ? { type: branch.case, match: choice.case, value: choice.value } : { type: branch.case, match: 'all' };
    }
    case 'function':
      return { type: 'function', match: 'name', value: branch.value.name };
    case 'event': {
      const choice = branch.value.condition;
      return choice.case === 'event' || choice.case === 'group' ? { type: 'event', match: choice.case, value: choice.value } : { type: 'event', match: 'all' };
    }
    default:
      // Unreachable after validation (the oneof is required).
      throw new TypeError('condition without a branch');
  }
}

/** A domain condition as the init of a Condition message. */
export function conditionInit(condition: Condition): ConditionMessage {
  switch (condition.type) {
    case 'function':
      return { conditionType: { case: 'function', value: { name: condition.match === 'name' ? condition.value : '' } } };
    case 'event':
      return {
        conditionType: {
          case: 'event',
          value: { condition: condition.match === 'event' || condition.match === 'group' ? { case: condition.match, value: condition.value } : { case: 'all', value: true } },
        },
      };
    default:
      return {
        conditionType: {
          case: condition.type,
          value: { condition: condition.match === 'method' || condition.match === 'service' ? { case: condition.match, value: condition.value } : { case: 'all', value: true } },
        },
      };
  }
}
