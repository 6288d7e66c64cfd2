import { randomUUID } from 'node:crypto';
import type { ApiClient, ConditionJson, DetailsJson, ErrorBody } from '../../../bench/support/api-client';

/** One write a client sent, and what (if anything) came back. */
export interface Attempt {
  requestId: string;
  kind: 'set' | 'delete';
  condition: ConditionJson;
  startedAt: number;
  /** Undefined: no answer (the connection broke, e.g. the service was killed meanwhile). */
  status?: number;
  code?: number;
  sequence?: number;
  finishedAt?: number;
}

/**
 * `clients` loops, each cycling SetExecution then DeleteExecution over conditions of its own
 * (so they never race each other), every request with its own x-request-id (which the service
 * records as the events' correlation id). Runs until `stop` aborts; returns every attempt.
 */
export async function runWriteCycles(api: ApiClient, targetIds: readonly string[], clients: number, stop: AbortSignal): Promise<Attempt[]> {
  const attempts: Attempt[] = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let round = 0; !stop.aborted; round += 1) {
        const condition: ConditionJson = { event: { event: `fault.client${client}.object${round % 25}.changed` } };
        for (const kind of ['set', 'delete'] as const) {
          if (stop.aborted) return;
          const attempt: Attempt = { requestId: randomUUID(), kind, condition, startedAt: performance.now() };
          attempts.push(attempt);
          const headers = { 'x-request-id': attempt.requestId };
          try {
            const answer = kind === 'set' ? await api.setExecution(condition, [targetIds[round % targetIds.length]], headers) : await api.deleteExecution(condition, headers);
            attempt.status = answer.status;
            attempt.finishedAt = performance.now();
            if (answer.status === 200) attempt.sequence = Number((answer.body as { details: DetailsJson }).details.sequence);
            else attempt.code = (answer.body as ErrorBody).code;
          } catch {
            // No answer: the attempt stays open (status undefined).
            if (stop.aborted) return;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
      }
    }),
  );
  return attempts;
}
