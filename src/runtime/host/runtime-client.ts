/**
 * A host system's client of the Actions runtime (actions.runtime.v1 over REST): what a host's
 * interceptors call around its handlers. It needs nothing but `fetch`, so any Node host can use it.
 */
import type { PublishedEvent } from '../domain/published-event';

/** What the host knows of the call being run, passed on to the targets. */
export interface RunFields {
  userId?: string;
  orgId?: string;
  projectId?: string;
  /** The call's headers, `{name: [values]}`. */
  headers?: Record<string, string[]>;
}

/**
 * An event of the host, as PublishEvents takes it: the fields the service stores of it, with any
 * JSON as payload (a type-only import: the client still needs nothing but `fetch`).
 */
export type HostEvent = Omit<PublishedEvent, 'payload'> & { payload?: unknown };

/** What a function run gathered from its restCalls. */
export interface FunctionAnswer {
  setUserMetadata: unknown[];
  appendClaims: unknown[];
  appendLogClaims: unknown[];
}

export interface ActionsRuntimeClientOptions {
  /** Where the service's HTTP port is, `http://localhost:8080`. */
  baseUrl: string;
  /** A token with `action.execution.run` (the role ACTIONS_RUNNER), or a function giving the current one. */
  token: string | (() => string | Promise<string>);
  /** Bounds each run; the targets' own timeouts should fit in it. Default 30 s. */
  timeoutMs?: number;
}

/**
 * A run the service refused or that a target failed: the google.rpc.Status the service answered.
 * `code` is the gRPC code (7 for a forwarded 403, 9 for another forwarded error or a failed
 * target), `id` the error id (`EXEC-reUaUZCzCp`), `httpStatus` the REST status.
 */
export class ActionsRunError extends Error {
  constructor(
    readonly code: number,
    readonly id: string | undefined,
    /** The message without the id, as a host would show it to its caller. */
    readonly detailMessage: string,
    readonly httpStatus: number,
  ) {
    super(detailMessage);
    this.name = 'ActionsRunError';
  }
}

/** gRPC code 14 (unavailable) for a service that cannot be reached or did not answer JSON. */
const UNAVAILABLE = 14;

export class ActionsRuntimeClient {
  private readonly baseUrl: string;

  constructor(private readonly options: ActionsRuntimeClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /** The request after the request execution of `fullMethod` (`/pkg.Service/Method`) ran. */
  async runRequest(fullMethod: string, request: unknown, fields: RunFields = {}): Promise<unknown> {
    const answer = await this.post('/runtime/v1/request', { fullMethod, request, ...fields });
    return answer.request;
  }

  /** The response after the response execution of `fullMethod` ran. */
  async runResponse(fullMethod: string, request: unknown, response: unknown, fields: RunFields = {}): Promise<unknown> {
    const answer = await this.post('/runtime/v1/response', { fullMethod, request, response, ...fields });
    return answer.response;
  }

  /** What the restCalls of the function's execution gathered, in order. */
  async runFunction(name: string, payload: Record<string, unknown> = {}): Promise<FunctionAnswer> {
    const answer = await this.post(`/runtime/v1/functions/${encodeURIComponent(name)}`, { payload });
    return answer as unknown as FunctionAnswer;
  }

  /**
   * Stores 1 to 1000 events for the event executions, once per id: a retry after a failure or a
   * timeout is safe, the events stored before come back as already accepted.
   */
  async publishEvents(events: readonly HostEvent[]): Promise<{ accepted: number; alreadyAccepted: number }> {
    const answer = await this.post('/runtime/v1/events', { events });
    return { accepted: Number(answer.accepted), alreadyAccepted: Number(answer.alreadyAccepted) };
  }

  private async post(path: string, body: object): Promise<Record<string, unknown>> {
    const token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
      text = await response.text();
    } catch (error) {
      throw new ActionsRunError(UNAVAILABLE, undefined, `The Actions runtime could not be reached: ${error instanceof Error ? error.message : String(error)}`, 503);
    }
    const json = parseObject(text);
    if (response.ok && json !== undefined) return json;
    const details = Array.isArray(json?.details) ? (json.details as { id?: unknown; message?: unknown }[]) : [];
    const code = typeof json?.code === 'number' ? json.code : UNAVAILABLE;
    const id = typeof details[0]?.id === 'string' ? details[0].id : undefined;
    const message = typeof details[0]?.message === 'string' ? details[0].message : typeof json?.message === 'string' ? json.message : `The Actions runtime answered ${response.status}`;
    throw new ActionsRunError(code, id, message, response.ok ? 503 : response.status);
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The headers a run passes on to the targets: all but the caller's credentials, which a webhook
 * has no business seeing.
 */
export function forwardedHeaders(entries: Iterable<[string, string | readonly string[] | undefined]>): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const [name, value] of entries) {
    const lower = name.toLowerCase();
    if (value === undefined || CREDENTIAL_HEADERS.has(lower)) continue;
    (headers[lower] ??= []).push(...(typeof value === 'string' ? [value] : value));
  }
  return headers;
}

const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);
