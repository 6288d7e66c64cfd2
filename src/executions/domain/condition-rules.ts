import { type Condition, conditionProblem, conditionToId } from './condition';
import { ExecutionErrors } from './execution-errors';

export const MAX_CONDITION_VALUE_LENGTH = 1000;

/**
 * The id of a condition given at `field` (e.g. "condition", "targets[0].include"), after the
 * checks every transport needs: non-empty, not too long, and not aliasing another condition.
 */
export function checkedConditionId(condition: Condition, field: string): string {
  if (condition.match !== 'all') {
    const path = `${field}.${condition.type}.${condition.match}`;
    if (condition.value === '') {
      throw condition.type === 'function' ? ExecutionErrors.functionNameEmpty() : ExecutionErrors.invalidConditionValue(path, 'must not be empty');
    }
    if ([...condition.value].length > MAX_CONDITION_VALUE_LENGTH) {
      throw ExecutionErrors.invalidConditionValue(path, `must be at most ${MAX_CONDITION_VALUE_LENGTH} characters long`);
    }
    const problem = conditionProblem(condition);
    if (problem) throw ExecutionErrors.invalidConditionValue(path, problem);
  }
  return conditionToId(condition);
}
