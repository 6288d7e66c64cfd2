import { ExecutionErrors } from './execution-errors';
import { ExecutionTargetKind, type ExecutionTargetRef } from './execution-events';

/** Entries an execution's target list may hold unless configured otherwise (MAX_TARGETS_PER_EXECUTION). */
export const DEFAULT_MAX_TARGETS_PER_EXECUTION = 100;

/** Refuses a target list longer than `maxTargets`, before any entry is looked at. */
export function checkTargetCount(count: number, maxTargets: number): void {
  if (count > maxTargets) throw ExecutionErrors.tooManyTargets(maxTargets);
}

/**
 * Refuses a list naming a target or an include twice: a repeat adds nothing to what runs,
 * only work to every later check and call of the execution.
 */
export function checkNoRepeats(refs: readonly ExecutionTargetRef[]): void {
  const seen = new Set<string>();
  refs.forEach((ref, index) => {
    const key = `${ref.type}:${ref.target}`;
    if (seen.has(key)) throw ExecutionErrors.targetListedTwice(`targets[${index}].${ref.type === ExecutionTargetKind.Include ? 'include' : 'target'}`);
    seen.add(key);
  });
}
