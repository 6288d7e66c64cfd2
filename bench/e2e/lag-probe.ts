import { conditionToId, type Condition } from '../../src/executions/domain/condition';
import type { ApiClient, ConditionJson, DetailsJson } from '../support/api-client';
import type { ReadModelProbe } from '../support/read-model-probe';

export interface LagSamples {
  /** From the 200 of a SetExecution to its row showing in the read model (read directly). */
  readModelMs: number[];
  /** From that 200 to a ListExecutions answer that shows the write (the API waits for it). */
  listAfterWriteMs: number[];
  /** Probe writes that did not answer 200, or lists that did not show the write. */
  failures: number;
}

const PROBE_CONDITIONS = 16;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Measures projection lag while other load runs: sets an execution of its own instance, then
 * polls the read model for the new sequence (every `pollMs`) and, at the same time, lists the
 * execution through the API. Repeats every `intervalMs` until `stop` aborts.
 */
export async function probeProjectionLag(
  api: ApiClient,
  readModel: ReadModelProbe,
  targetIds: readonly string[],
  options: { stop: AbortSignal; intervalMs: number; pollMs: number },
): Promise<LagSamples> {
  const samples: LagSamples = { readModelMs: [], listAfterWriteMs: [], failures: 0 };
  for (let round = 0; !options.stop.aborted; round += 1) {
    const event = `bench.probe.object${round % PROBE_CONDITIONS}.changed`;
    const condition: Condition = { type: 'event', match: 'event', value: event };
    const json: ConditionJson = { event: { event } };
    const written = await api.setExecution(json, [targetIds[round % targetIds.length]]);
    if (written.status !== 200) {
      samples.failures += 1;
      continue;
    }
    const acknowledged = performance.now();
    const sequence = Number((written.body as { details: DetailsJson }).details.sequence);
    const [inReadModel, listed] = await Promise.all([
      waitForSequence(readModel, api.instanceId, conditionToId(condition), sequence, options.pollMs),
      api.listExecutions({ queries: [{ inConditionsQuery: { conditions: [json] } }] }).then((answer) => ({ answer, at: performance.now() })),
    ]);
    samples.readModelMs.push(inReadModel - acknowledged);
    const shown = (listed.answer.body as { result?: { details: DetailsJson }[] }).result?.[0]?.details.sequence;
    if (listed.answer.status === 200 && Number(shown) >= sequence) samples.listAfterWriteMs.push(listed.at - acknowledged);
    else samples.failures += 1;
    await sleep(options.intervalMs);
  }
  return samples;
}

async function waitForSequence(readModel: ReadModelProbe, instance: string, executionId: string, sequence: number, pollMs: number): Promise<number> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const stored = await readModel.executionSequence(instance, executionId);
    if (stored !== undefined && stored >= sequence) return performance.now();
    if (performance.now() > deadline) throw new Error(`the read model never showed ${executionId} at sequence ${sequence}`);
    await sleep(pollMs);
  }
}
