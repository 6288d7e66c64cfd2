import { signEmbeddedToken } from '../../src/auth/sign-embedded-token';

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  /** Milliseconds from sending the request to having read the whole answer. */
  ms: number;
}

/** The error body of every failed call. */
export interface ErrorBody {
  code: number;
  message: string;
  details: { id: string; message: string }[];
}

export type ConditionJson = Record<string, Record<string, string | boolean>>;

export interface DetailsJson {
  sequence: string;
  changeDate: string;
  resourceOwner: string;
}

/** A token the service accepts in embedded mode (its key pair lives in DATA_DIR). */
export function embeddedToken(dataDir: string, instanceId: string, roles: string[] = ['IAM_OWNER']): Promise<string> {
  return signEmbeddedToken(dataDir, { instanceId, roles, subject: 'bench' });
}

/** One caller of a running service over HTTP: one instance, one token. */
export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    readonly instanceId: string,
    readonly token: string,
  ) {}

  async request<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const started = performance.now();
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON: keep the text.
    }
    return { status: response.status, body: parsed as T, ms: performance.now() - started };
  }

  /** Creates a webhook target and returns its id (throws unless 201). */
  async createTarget(name: string): Promise<string> {
    const response = await this.request<{ id: string }>('POST', '/v3alpha/targets', {
      name,
      restWebhook: { interruptOnError: true },
      timeout: '10s',
      endpoint: `https://hooks.example.com/${encodeURIComponent(name)}`,
    });
    if (response.status !== 201) throw new Error(`CreateTarget ${name}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.id;
  }

  setExecution(condition: ConditionJson, targetIds: readonly string[], headers?: Record<string, string>): Promise<ApiResponse<{ details: DetailsJson } | ErrorBody>> {
    return this.request('PUT', '/v3alpha/executions', { condition, targets: targetIds.map((target) => ({ target })) }, headers);
  }

  deleteExecution(condition: ConditionJson, headers?: Record<string, string>): Promise<ApiResponse<{ details: DetailsJson } | ErrorBody>> {
    return this.request('DELETE', '/v3alpha/executions', { condition }, headers);
  }

  listExecutions(body: unknown = {}): Promise<ApiResponse<{ details: { totalResult: string }; result: unknown[] } | ErrorBody>> {
    return this.request('POST', '/v3alpha/executions/search', body);
  }
}
