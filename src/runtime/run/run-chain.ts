import { TargetType } from '../../targets/domain/target-events';
import type { ResolvedTarget } from '../calls/resolved-target';
import type { TargetCaller } from '../calls/target-caller';
import { RuntimeErrors } from '../domain/runtime-errors';

/**
 * Calls `targets` one after another (spec §3). `bodyOf` builds each call's body from the value
 * as it stands; a restCall's JSON answer is handed to `onAnswer`. A failed target with
 * interruptOnError stops the chain with EXEC-dra6yamk98; without it the target is skipped.
 * A forwarded error always fails the run.
 */
export async function runChain(
  caller: TargetCaller,
  targets: readonly ResolvedTarget[],
  bodyOf: () => unknown,
  onAnswer: (answer: unknown) => void,
): Promise<void> {
  for (const target of targets) {
    const body = JSON.stringify(bodyOf());
    if (target.targetType === TargetType.Async) {
      caller.start(target, body);
      continue;
    }
    const result = await caller.call(target, body);
    if (result.outcome === 'forwarded') throw result.error;
    if (result.outcome === 'failed') {
      if (target.interruptOnError) throw RuntimeErrors.targetFailed(target.id);
      continue;
    }
    if (target.targetType === TargetType.Call && result.answer !== undefined) onAnswer(result.answer);
  }
}
