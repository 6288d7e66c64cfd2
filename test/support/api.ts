import type { Response } from 'supertest';
import type { TestApp } from './test-app';

/** A caller of the API: one instance, one token. */
export class ApiClient {
  private constructor(
    private readonly testApp: TestApp,
    readonly instanceId: string,
    readonly token: string,
  ) {}

  static async of(testApp: TestApp, instanceId: string, claims?: Parameters<TestApp['token']>[1]): Promise<ApiClient> {
    return new ApiClient(testApp, instanceId, await testApp.token(instanceId, claims));
  }

  private send(method: 'get' | 'post' | 'put' | 'delete', path: string, body?: unknown): Promise<Response> {
    const call = this.testApp.http()[method](path).set('Authorization', `Bearer ${this.token}`);
    return body === undefined ? call : call.send(body as object);
  }

  createTarget(body: unknown): Promise<Response> {
    return this.send('post', '/v3alpha/targets', body);
  }
  updateTarget(id: string, body: unknown): Promise<Response> {
    return this.send('put', `/v3alpha/targets/${encodeURIComponent(id)}`, body);
  }
  deleteTarget(id: string): Promise<Response> {
    return this.send('delete', `/v3alpha/targets/${encodeURIComponent(id)}`);
  }
  getTarget(id: string): Promise<Response> {
    return this.send('get', `/v3alpha/targets/${encodeURIComponent(id)}`);
  }
  listTargets(body: unknown = {}): Promise<Response> {
    return this.send('post', '/v3alpha/targets/search', body);
  }
  setExecution(body: unknown): Promise<Response> {
    return this.send('put', '/v3alpha/executions', body);
  }
  deleteExecution(body: unknown): Promise<Response> {
    return this.send('delete', '/v3alpha/executions', body);
  }
  listExecutions(body: unknown = {}): Promise<Response> {
    return this.send('post', '/v3alpha/executions/search', body);
  }
  catalogue(list: 'functions' | 'methods' | 'services'): Promise<Response> {
    return this.send('get', `/v3alpha/executions/${list}`);
  }

  /** Creates a webhook target and returns its id. */
  async newTarget(name: string, overrides: Record<string, unknown> = {}): Promise<string> {
    const response = await this.createTarget({ name, restWebhook: { interruptOnError: true }, timeout: '10s', endpoint: 'https://example.com/hook', ...overrides });
    if (response.status !== 201) throw new Error(`create target failed: ${response.status} ${JSON.stringify(response.body)}`);
    return (response.body as { id: string }).id;
  }
}

export const RFC3339_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Details of a manipulation: exact sequence, RFC 3339 date, the instance as owner. */
export const details = (sequence: number, instanceId: string): unknown => ({
  sequence: String(sequence),
  changeDate: expect.stringMatching(RFC3339_MS),
  resourceOwner: instanceId,
});

/** The grpc-gateway error body with exactly this code and id. */
export function expectError(response: Response, status: number, code: number, id?: string): void {
  expect({ status: response.status, body: response.body as unknown }).toEqual({
    status,
    body: {
      code,
      message: expect.any(String),
      details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id: id ?? expect.any(String), message: expect.any(String) }],
    },
  });
}

export const SESSION_LIST = '/zitadel.session.v2.SessionService/ListSessions';
export const SESSION_SERVICE = 'zitadel.session.v2.SessionService';
export const POST_AUTH_FUNCTION = 'Action.Flow.Type.ExternalAuthentication.Action.TriggerType.PostAuthentication';
