import type { DomainEvent } from '@app/eventsourcing';

export const EXECUTION_SET = 'execution.v2.set';
export const EXECUTION_REMOVED = 'execution.removed';

/** Kinds of entries in an execution's target list, numbered as in the stored events. */
export enum ExecutionTargetKind {
  Include = 1,
  Target = 2,
}

/** One entry: a target id, or the id of another execution whose targets are included. */
export type ExecutionTargetRef = { type: ExecutionTargetKind; target: string };

export type ExecutionSetEvent = DomainEvent<typeof EXECUTION_SET, { targets: ExecutionTargetRef[] }>;
export type ExecutionRemovedEvent = DomainEvent<typeof EXECUTION_REMOVED, Record<string, never>>;
export type ExecutionEvent = ExecutionSetEvent | ExecutionRemovedEvent;

export const executionEventTypes = [EXECUTION_SET, EXECUTION_REMOVED] as const;

/** Reads a stored payload back into a domain event; unknown types and shapes are skipped. */
export function toExecutionEvent(type: string, data: unknown): ExecutionEvent | undefined {
  if (type === EXECUTION_REMOVED) return { type, data: {} };
  if (type !== EXECUTION_SET || typeof data !== 'object' || data === null) return undefined;
  const targets = (data as { targets?: unknown }).targets;
  if (!Array.isArray(targets)) return undefined;
  const refs: ExecutionTargetRef[] = [];
  for (const entry of targets as unknown[]) {
    const { type: kind, target } = (entry ?? {}) as { type?: unknown; target?: unknown };
    if ((kind === ExecutionTargetKind.Include || kind === ExecutionTargetKind.Target) && typeof target === 'string') {
      refs.push({ type: kind, target });
    }
  }
  return { type, data: { targets: refs } };
}
