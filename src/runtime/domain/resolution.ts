import { conditionToId, type Condition } from '../../executions/domain/condition';
import { ExecutionTargetKind, type ExecutionTargetRef } from '../../executions/domain/execution-events';

/** What a run is for; each kind has its own chain of conditions from most to least specific. */
export type RunSubject =
  | { kind: 'request' | 'response'; fullMethod: string }
  | { kind: 'event'; eventType: string }
  | { kind: 'function'; name: string };

/**
 * The execution ids that may apply to `subject`, most specific first (spec §2): a method's,
 * then its service's, then `all`; an event's, then its groups from the nearest
 * (`user.human.*` before `user.*`), then `event`; a function's own.
 */
export function candidateExecutionIds(subject: RunSubject): string[] {
  switch (subject.kind) {
    case 'request':
    case 'response': {
      const candidates: Condition[] = [];
      const match = /^\/([^/]+)\/(.+)$/.exec(subject.fullMethod);
      if (match) {
        candidates.push({ type: subject.kind, match: 'method', value: subject.fullMethod });
        candidates.push({ type: subject.kind, match: 'service', value: match[1]! });
      }
      candidates.push({ type: subject.kind, match: 'all' });
      return candidates.map(conditionToId);
    }
    case 'event': {
      const candidates: Condition[] = [{ type: 'event', match: 'event', value: subject.eventType }];
      const parts = subject.eventType.split('.');
      for (let length = parts.length - 1; length >= 1; length -= 1) {
        candidates.push({ type: 'event', match: 'group', value: parts.slice(0, length).join('.') });
      }
      candidates.push({ type: 'event', match: 'all' });
      return candidates.map(conditionToId);
    }
    case 'function':
      return [conditionToId({ type: 'function', match: 'name', value: subject.name })];
  }
}

/** An execution's current target list, or undefined when it does not exist. */
export type ExecutionTargets = (executionId: string) => readonly ExecutionTargetRef[] | undefined;

/**
 * The target ids of the most specific existing execution, includes expanded in place, depth
 * first, in list order; a target reached twice keeps its first place, and an include already
 * being expanded (a cycle the write side let through from older events) is not entered again.
 */
export function resolveTargetIds(subject: RunSubject, executions: ExecutionTargets): string[] {
  const executionId = candidateExecutionIds(subject).find((id) => executions(id) !== undefined);
  if (executionId === undefined) return [];
  const targets: string[] = [];
  const seenTargets = new Set<string>();
  const expanding = new Set<string>();
  const expand = (id: string): void => {
    const refs = executions(id);
    if (refs === undefined || expanding.has(id)) return;
    expanding.add(id);
    for (const ref of refs) {
      if (ref.type === ExecutionTargetKind.Include) expand(ref.target);
      else if (!seenTargets.has(ref.target)) {
        seenTargets.add(ref.target);
        targets.push(ref.target);
      }
    }
    expanding.delete(id);
  };
  expand(executionId);
  return targets;
}
