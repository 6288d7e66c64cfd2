import { ExecutionErrors } from './execution-errors';
import { ExecutionTargetKind, type ExecutionTargetRef } from './execution-events';

/** How many include hops an execution may chain (E → A → B → C). */
export const MAX_INCLUDE_DEPTH = 3;

/** Current target list of an existing execution, or undefined when it does not exist. */
export type ExecutionLookup = (executionId: string) => Promise<readonly ExecutionTargetRef[] | undefined>;

const includesOf = (targets: readonly ExecutionTargetRef[]): string[] =>
  targets.filter((ref) => ref.type === ExecutionTargetKind.Include).map((ref) => ref.target);

/**
 * Checks the includes of a new target list for execution `executionId`: no self include,
 * every directly included execution exists, no included execution includes itself, no
 * chain leads back to `executionId`, and no chain is longer than {@link MAX_INCLUDE_DEPTH}.
 * Includes further down a chain that no longer exist are tolerated: they contribute nothing.
 */
export async function checkIncludes(executionId: string, targets: readonly ExecutionTargetRef[], lookup: ExecutionLookup): Promise<void> {
  const direct = includesOf(targets);
  if (direct.includes(executionId)) throw ExecutionErrors.includesItself();

  const visit = async (includeId: string, depth: number): Promise<void> => {
    if (depth > MAX_INCLUDE_DEPTH) throw ExecutionErrors.includeTooDeep();
    const included = await lookup(includeId);
    if (included === undefined) {
      if (depth === 1) throw ExecutionErrors.includeNotFound();
      return;
    }
    for (const next of includesOf(included)) {
      if (next === includeId) throw ExecutionErrors.includedIncludesItself();
      if (next === executionId) throw ExecutionErrors.includeCycle();
      await visit(next, depth + 1);
    }
  };
  for (const includeId of direct) await visit(includeId, 1);
}
