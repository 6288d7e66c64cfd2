import { ExecutionErrors } from './execution-errors';
import { ExecutionTargetKind, type ExecutionTargetRef } from './execution-events';

/** How many include hops an execution may chain (E → A → B → C). */
export const MAX_INCLUDE_DEPTH = 3;

/** Current target list of an existing execution, or undefined when it does not exist. */
export type ExecutionLookup = (executionId: string) => Promise<readonly ExecutionTargetRef[] | undefined>;

/** Distinct includes of a list; lists stored before duplicates were refused may repeat one. */
const includesOf = (targets: readonly ExecutionTargetRef[]): string[] => [
  ...new Set(targets.filter((ref) => ref.type === ExecutionTargetKind.Include).map((ref) => ref.target)),
];

/**
 * Checks the includes of a new target list for execution `executionId`: no self include,
 * every directly included execution exists, no included execution includes itself, no
 * chain leads back to `executionId`, and no chain is longer than {@link MAX_INCLUDE_DEPTH}.
 * Includes further down a chain that no longer exist are tolerated: they contribute nothing.
 *
 * Each execution is loaded once and each one's sub-graph is walked once, so the work is
 * bounded by the number of distinct executions reachable, however often they are included.
 */
export async function checkIncludes(executionId: string, targets: readonly ExecutionTargetRef[], lookup: ExecutionLookup): Promise<void> {
  const direct = includesOf(targets);
  if (direct.includes(executionId)) throw ExecutionErrors.includesItself();

  const loads = new Map<string, Promise<readonly ExecutionTargetRef[] | undefined>>();
  const load = (id: string): Promise<readonly ExecutionTargetRef[] | undefined> => {
    let pending = loads.get(id);
    if (pending === undefined) {
      pending = lookup(id);
      // Settled when awaited; this only keeps a prefetch that is never awaited from being unhandled.
      pending.catch(() => undefined);
      loads.set(id, pending);
    }
    return pending;
  };
  // Longest chain (in executions, itself included) below each execution already walked without error.
  const chainLength = new Map<string, number>();

  /** Walks `includeId` reached at `depth`; answers the length of the longest chain it starts. */
  const visit = async (includeId: string, depth: number): Promise<number> => {
    if (depth > MAX_INCLUDE_DEPTH) throw ExecutionErrors.includeTooDeep();
    const known = chainLength.get(includeId);
    if (known !== undefined) {
      // Its sub-graph holds no cycle or self include (that would have thrown); only depth can fail.
      if (depth + known - 1 > MAX_INCLUDE_DEPTH) throw ExecutionErrors.includeTooDeep();
      return known;
    }
    const included = await load(includeId);
    if (included === undefined) {
      if (depth === 1) throw ExecutionErrors.includeNotFound();
      return 1;
    }
    const next = includesOf(included);
    // Start the loads of the next level together (one round trip of latency, not one each);
    // they are still checked one by one, in order, so the first error is the same as before.
    if (depth < MAX_INCLUDE_DEPTH) for (const id of next) if (id !== includeId && id !== executionId) void load(id);
    let longest = 1;
    for (const nextId of next) {
      if (nextId === includeId) throw ExecutionErrors.includedIncludesItself();
      if (nextId === executionId) throw ExecutionErrors.includeCycle();
      longest = Math.max(longest, 1 + (await visit(nextId, depth + 1)));
    }
    chainLength.set(includeId, longest);
    return longest;
  };
  for (const includeId of direct) await visit(includeId, 1);
}
