import { Logger } from '@nestjs/common';
import type { ApiError } from '../../common/errors/api-error';
import { TargetType } from '../../targets/domain/target-events';
import { RuntimeErrors } from '../domain/runtime-errors';
import { SIGNATURE_HEADER, signatureHeaderValue } from '../domain/signature';
import type { ResolvedTarget } from './resolved-target';
import type { TargetHttpClient } from './target-http-client';

export type CallOutcomeKind = 'ok' | 'failed' | 'forwarded' | 'started';

/** What one call gave: for a restCall, the JSON answer (undefined for an empty body). */
export type CallResult =
  | { outcome: 'ok'; answer?: unknown }
  | { outcome: 'failed'; reason: string }
  | { outcome: 'forwarded'; error: ApiError };

/** Told about every finished call (metrics); never sees payloads or keys. */
export type CallObserver = (info: { target: ResolvedTarget; outcome: CallOutcomeKind | 'failed'; status?: number; durationMs: number }) => void;

const typeNames: Record<TargetType, string> = { [TargetType.Webhook]: 'restWebhook', [TargetType.Call]: 'restCall', [TargetType.Async]: 'restAsync' };
export const targetTypeName = (type: TargetType): string => typeNames[type];

const nanosToMs = (nanos: number): number => Math.max(1, Math.ceil(nanos / 1_000_000));

/**
 * One signed POST to one target (spec §3), turned into an outcome. Logs a line per call with
 * the target id, outcome, status and duration; never the body or the key.
 */
export class TargetCaller {
  private readonly logger = new Logger('TargetCalls');

  constructor(
    private readonly http: TargetHttpClient,
    private readonly observe: CallObserver = () => undefined,
  ) {}

  async call(target: ResolvedTarget, body: string, extraHeaders: Record<string, string> = {}): Promise<CallResult> {
    const started = performance.now();
    let status: number | undefined;
    let result: CallResult;
    try {
      const answer = await this.http.post(target.endpoint, body, {
        headers: { [SIGNATURE_HEADER]: signatureHeaderValue(target.signingKey, body), ...extraHeaders },
        timeoutMs: nanosToMs(target.timeout),
      });
      status = answer.status;
      result = target.targetType === TargetType.Call ? readCallAnswer(answer.status, answer.body) : is2xx(answer.status) ? { outcome: 'ok' } : failed(`answered ${answer.status}`);
    } catch (error) {
      result = failed(error instanceof Error ? error.message : String(error));
    }
    const durationMs = performance.now() - started;
    this.observe({ target, outcome: result.outcome, ...(status !== undefined && { status }), durationMs });
    const line = `target ${target.id} ${targetTypeName(target.targetType)} ${result.outcome} status=${status ?? '-'} duration_ms=${durationMs.toFixed(1)}`;
    if (result.outcome === 'failed') this.logger.warn(`${line} reason=${JSON.stringify(result.reason)}`);
    else this.logger.log(line);
    return result;
  }

  /** restAsync: started and not awaited; its outcome is only logged and counted. */
  start(target: ResolvedTarget, body: string, extraHeaders: Record<string, string> = {}): void {
    void this.call(target, body, extraHeaders);
  }
}

const is2xx = (status: number): boolean => status >= 200 && status < 300;
const failed = (reason: string): CallResult => ({ outcome: 'failed', reason });

/** A restCall's answer: forwarded 4xx errors, then 2xx JSON (empty keeps the input), else a failure. */
function readCallAnswer(status: number, text: string): CallResult {
  let parsed: unknown;
  const empty = text.trim() === '';
  if (!empty) {
    try {
      parsed = JSON.parse(text);
    } catch {
      return is2xx(status) ? failed('answered a body that is not JSON') : failed(`answered ${status}`);
    }
  }
  const forwarded = forwardedError(parsed);
  if (forwarded) return { outcome: 'forwarded', error: forwarded };
  if (!is2xx(status)) return failed(`answered ${status}`);
  return empty ? { outcome: 'ok' } : { outcome: 'ok', answer: parsed };
}

function forwardedError(body: unknown): ApiError | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { forwardedStatusCode, forwardedErrorMessage } = body as { forwardedStatusCode?: unknown; forwardedErrorMessage?: unknown };
  const code = Number(forwardedStatusCode);
  if (!Number.isInteger(code) || code < 400 || code > 499) return undefined;
  const message = typeof forwardedErrorMessage === 'string' ? forwardedErrorMessage : `Forwarded status ${code}`;
  return code === 403 ? RuntimeErrors.forwardedForbidden(message) : RuntimeErrors.forwardedError(message);
}
