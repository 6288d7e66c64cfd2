import { createHmac, randomUUID } from 'node:crypto';
import type { JsonObject, JsonValue } from '@bufbuild/protobuf';
import { Code } from '@connectrpc/connect';
import { QueryBus } from '@nestjs/cqrs';
import { ALL_PERMISSIONS } from '../../src/auth';
import { RUNTIME_EVENT_PUBLISHED } from '../../src/runtime/domain/published-event';
import { GetTargetQuery } from '../../src/targets/queries/target.queries';
import { ApiClient } from '../support/api';
import { startGrpcTestApp, type GrpcTestApp } from '../grpc/support/grpc-test-app';
import { RuntimeCallError, runtimeClients, type RuntimeClient, type RuntimeRpc } from './runtime-clients';
import { WebhookServer } from './webhook-server';

const METHOD = '/zitadel.session.v2.SessionService/ListSessions';
const FUNCTION = 'Action.Flow.Type.CustomiseToken.Action.TriggerType.PreAccessTokenCreation';
const LOOPBACK = ['127.0.0.0/8', '::1/128'];

const event = (overrides: JsonObject = {}): JsonObject => ({
  id: randomUUID(),
  aggregateId: 'user-1',
  aggregateType: 'user',
  sequence: '2',
  eventType: 'user.human.added',
  createdAt: '2026-01-02T03:04:05.123456789Z',
  payload: { userName: 'ada' },
  ...overrides,
});

/** A valid request of each RPC. */
const REQUESTS: Record<RuntimeRpc, () => JsonObject> = {
  runRequest: () => ({ fullMethod: METHOD, request: { query: 'original' } }),
  runResponse: () => ({ fullMethod: METHOD, request: {}, response: { sessions: [] } }),
  runFunction: () => ({ name: FUNCTION, payload: {} }),
  publishEvents: () => ({ events: [event()] }),
};
const RPCS = Object.keys(REQUESTS) as RuntimeRpc[];

async function failure(call: Promise<unknown>): Promise<RuntimeCallError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof RuntimeCallError) return error;
    throw error;
  }
  throw new Error('the call succeeded');
}

describe('actions.runtime.v1.RuntimeService over REST, gRPC, gRPC-web and Connect', () => {
  let app: GrpcTestApp;
  let hooks: WebhookServer;
  let clients: RuntimeClient[];

  beforeAll(async () => {
    app = await startGrpcTestApp({ targetAllowedNetworks: LOOPBACK });
    hooks = await WebhookServer.start();
    clients = runtimeClients(app);
  });
  afterAll(async () => {
    await app.close();
    await hooks.close();
  });

  /** A fresh instance with an owner (to configure) and a runner token (to run). */
  async function instance(): Promise<{ admin: ApiClient; runner: string; target: (kind: string, path: string, interrupt?: boolean) => Promise<string> }> {
    const admin = await ApiClient.of(app, `instance-${randomUUID()}`);
    const runner = await app.token(admin.instanceId, { roles: ['ACTIONS_RUNNER'], subject: 'host' });
    const target = (kind: string, path: string, interrupt = false): Promise<string> =>
      admin.newTarget(`t-${randomUUID()}`, { restWebhook: undefined, [kind]: kind === 'restAsync' ? {} : { interruptOnError: interrupt }, endpoint: hooks.url(path), timeout: '5s' });
    return { admin, runner, target };
  }
  const setOn = async (admin: ApiClient, condition: unknown, targets: string[]): Promise<void> => {
    expect((await admin.setExecution({ condition, targets: targets.map((target) => ({ target })) })).status).toBe(200);
  };
  const unique = (): string => `/${randomUUID()}`;
  const publishedIn = async (instanceId: string): Promise<number> =>
    (await app.store.readAll({ filter: { types: [RUNTIME_EVENT_PUBLISHED], tenant: instanceId } })).events.length;

  describe.each(['rest', 'grpc', 'grpc-web', 'connect'])('%s', (name) => {
    const client = (): RuntimeClient => clients.find((candidate) => candidate.name === name)!;

    it('RunRequest: calls the targets with the signed ZITADEL body and answers the request the restCall made', async () => {
      const { admin, runner, target } = await instance();
      const [hook, call] = [unique(), unique()];
      hooks.on(call, (received, response) => response.end(JSON.stringify({ ...(JSON.parse(received.body) as { request: object }).request, limit: 5 })));
      const hookId = await target('restWebhook', hook);
      await setOn(admin, { request: { method: METHOD } }, [hookId, await target('restCall', call)]);

      const answer = await client().call('runRequest', { fullMethod: METHOD, request: { query: 'original' }, headers: { 'x-custom': ['a', 'b'] }, userId: 'user-1', orgId: 'org-1' }, runner);
      expect(answer).toEqual({ request: { query: 'original', limit: 5 } });

      const [received] = hooks.callsTo(hook);
      expect(JSON.parse(received!.body)).toEqual({
        fullMethod: METHOD,
        instanceID: admin.instanceId,
        orgID: 'org-1',
        userID: 'user-1',
        request: { query: 'original' },
        headers: { 'x-custom': ['a', 'b'] },
      });
      const key = (await app.app.get(QueryBus).execute(new GetTargetQuery(admin.instanceId, hookId, { withSigningKey: true }))).signingKey!;
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(received!.headers['zitadel-signature'] as string)!;
      expect(v1).toBe(createHmac('sha256', key).update(`${t}.${received!.body}`).digest('hex'));
    });

    it('RunRequest: answers the request unchanged when no execution applies, whatever JSON it is', async () => {
      const { runner } = await instance();
      for (const request of [{ a: [1, 'x', null, { b: true }] }, 'text', 3.5, null, [], { nullValue: 'none', structValue: { fields: 1 }, listValue: 'x' }] as JsonValue[]) {
        expect(await client().call('runRequest', { fullMethod: METHOD, request }, runner)).toEqual({ request });
      }
    });

    it('RunResponse: answers the response the restCall made, the targets seeing request and response', async () => {
      const { admin, runner, target } = await instance();
      const path = unique();
      hooks.answer(path, 200, { sessions: ['changed'] });
      await setOn(admin, { response: { method: METHOD } }, [await target('restCall', path)]);
      expect(await client().call('runResponse', { fullMethod: METHOD, request: { q: 1 }, response: { sessions: [] } }, runner)).toEqual({ response: { sessions: ['changed'] } });
      expect(JSON.parse(hooks.callsTo(path)[0]!.body)).toMatchObject({ request: { q: 1 }, response: { sessions: [] } });
    });

    it('RunFunction: gathers what the restCalls answer, in order', async () => {
      const { admin, runner, target } = await instance();
      const [first, second] = [unique(), unique()];
      hooks.answer(first, 200, { appendClaims: [{ key: 'a', value: 1 }] });
      hooks.answer(second, 200, { appendClaims: [{ key: 'b', value: 'two' }], appendLogClaims: ['seen'], setUserMetadata: [{ key: 'm', value: 'eA==' }] });
      await setOn(admin, { function: { name: FUNCTION } }, [await target('restCall', first), await target('restCall', second)]);
      expect(await client().call('runFunction', { name: FUNCTION, payload: { user: { id: 'u-1' } } }, runner)).toEqual({
        setUserMetadata: [{ key: 'm', value: 'eA==' }],
        appendClaims: [
          { key: 'a', value: 1 },
          { key: 'b', value: 'two' },
        ],
        appendLogClaims: ['seen'],
      });
      expect(JSON.parse(hooks.callsTo(first)[0]!.body)).toEqual({ function: FUNCTION, user: { id: 'u-1' } });
    });

    it('fails a run with the errors a restCall forwards and with EXEC-dra6yamk98 when an interrupting target fails', async () => {
      const { admin, runner, target } = await instance();
      const [forbidden, invalid, broken] = [unique(), unique(), unique()];
      hooks.answer(forbidden, 200, { forwardedStatusCode: 403, forwardedErrorMessage: 'not for you' });
      hooks.answer(invalid, 200, { forwardedStatusCode: 409, forwardedErrorMessage: 'try later' });
      hooks.answer(broken, 500);
      const cases: [string, number, string, number][] = [
        [await target('restCall', forbidden), Code.PermissionDenied, 'EXEC-reUaUZCzCp', 403],
        [await target('restCall', invalid), Code.FailedPrecondition, 'EXEC-bmhNhpcqpF', 400],
        [await target('restWebhook', broken, true), Code.FailedPrecondition, 'EXEC-dra6yamk98', 400],
      ];
      for (const [id, code, errorId, status] of cases) {
        await setOn(admin, { request: { method: METHOD } }, [id]);
        const error = await failure(client().call('runRequest', REQUESTS.runRequest(), runner));
        expect({ code: error.code, id: error.id, status: error.status }).toEqual({ code, id: errorId, status: name === 'rest' ? status : undefined });
      }
      await setOn(admin, { request: { method: METHOD } }, [cases[0]![0]]);
      expect((await failure(client().call('runRequest', REQUESTS.runRequest(), runner))).message).toContain('not for you');
    });

    it('PublishEvents: stores each event once; a repeat is counted as already accepted', async () => {
      const { admin, runner } = await instance();
      const [a, b] = [event(), event({ version: 'v2', userId: 'admin', resourceOwner: 'org-1', payload: null })];
      expect(await client().call('publishEvents', { events: [a, b] }, runner)).toEqual({ accepted: 2, alreadyAccepted: 0 });
      expect(await client().call('publishEvents', { events: [b, a, event()] }, runner)).toEqual({ accepted: 1, alreadyAccepted: 2 });
      expect(await publishedIn(admin.instanceId)).toBe(3);
      const stored = (await app.store.readAll({ filter: { types: [RUNTIME_EVENT_PUBLISHED], tenant: admin.instanceId } })).events;
      expect(stored[1]!.data).toEqual({ ...b, sequence: 2 });
      expect(stored[0]!.data).toEqual({ ...a, sequence: 2 });
    });

    it.each<[string, JsonObject]>([
      ['1001 events', { events: Array.from({ length: 1001 }, () => event()) }],
      ['no events', { events: [] }],
      ['an event without id', { events: [event(), event({ id: '' })] }],
      ['an event without createdAt', { events: [event(), { ...event(), createdAt: undefined as never }] }],
      ['an event with sequence 0', { events: [event({ sequence: '0' })] }],
      ['an event whose payload holds a NUL character', { events: [event(), event({ payload: { name: 'a\u0000b' } })] }],
    ])('PublishEvents: refuses %s with code 3, storing nothing', async (_case, request) => {
      const { admin, runner } = await instance();
      const error = await failure(client().call('publishEvents', JSON.parse(JSON.stringify(request)) as JsonObject, runner));
      expect({ code: error.code, status: error.status }).toEqual({ code: Code.InvalidArgument, status: name === 'rest' ? 400 : undefined });
      expect(await publishedIn(admin.instanceId)).toBe(0);
    });

    it.each<[string, RuntimeRpc, JsonObject]>([
      ['RunRequest without fullMethod', 'runRequest', { request: {} }],
      ['RunRequest without request', 'runRequest', { fullMethod: METHOD }],
      ['RunRequest with a header value that is not a string', 'runRequest', { fullMethod: METHOD, request: {}, headers: { 'x-a': [1] } }],
      ['RunRequest with a fullMethod that is not one', 'runRequest', { fullMethod: 'ListSessions', request: {} }],
      ['RunResponse without response', 'runResponse', { fullMethod: METHOD, request: {} }],
      ['RunFunction with a NUL character in a payload key', 'runFunction', { name: FUNCTION, payload: { user: { 'a\u0000': 1 } } }],
    ])('refuses %s with code 3', async (_case, rpc, request) => {
      const { runner } = await instance();
      const error = await failure(client().call(rpc, request, runner));
      expect({ code: error.code, status: error.status }).toEqual({ code: Code.InvalidArgument, status: name === 'rest' ? 400 : undefined });
    });

    it.each<[string, JsonObject, string]>([
      ['deep in the request', { fullMethod: METHOD, request: { a: [1, { b: 'x\u0000' }] } }, 'request.a.1.b'],
      ['in a header value', { fullMethod: METHOD, request: {}, headers: { 'x-a': ['ok', 'b\u0000'] } }, 'headers.x-a.1'],
    ])('RunRequest: names a NUL character %s by its JSON path', async (_case, request, path) => {
      const { runner } = await instance();
      const error = await failure(client().call('runRequest', request, runner));
      expect({ code: error.code, message: error.message }).toEqual({
        code: Code.InvalidArgument,
        message: expect.stringContaining(`${path} must be Unicode text without NUL characters or unpaired surrogates`) as unknown,
      });
    });

    it('needs action.execution.run for every RPC: other permissions are refused (AUTH-5mWD2)', async () => {
      const instanceId = `instance-${randomUUID()}`;
      const everythingElse = await app.token(instanceId, { roles: [], permissions: ALL_PERMISSIONS.filter((permission) => permission !== 'action.execution.run') });
      for (const rpc of RPCS) {
        const error = await failure(client().call(rpc, REQUESTS[rpc](), everythingElse));
        expect({ rpc, code: error.code, id: error.id, message: error.message }).toEqual({
          rpc,
          code: Code.PermissionDenied,
          id: 'AUTH-5mWD2',
          message: 'No matching permissions found: the call needs action.execution.run (AUTH-5mWD2)',
        });
      }
      expect(await publishedIn(instanceId)).toBe(0);
    });
  });

  it('REST: names the wrong field of a body whose free-form JSON is fine', async () => {
    const { runner } = await instance();
    for (const request of ['text', { nullValue: 3 }]) {
      const response = await app.http().post('/runtime/v1/request').set('Authorization', `Bearer ${runner}`).send({ fullMethod: METHOD, request, headers: 5 });
      expect({ status: response.status, code: (response.body as { code: number }).code, message: (response.body as { message: string }).message }).toEqual({
        status: 400,
        code: Code.InvalidArgument,
        message: expect.stringMatching(/^headers must be a JSON object/) as unknown,
      });
    }
  });

  it('lets ACTIONS_RUNNER and IAM_OWNER run, and ACTIONS_RUNNER nothing else', async () => {
    const instanceId = `instance-${randomUUID()}`;
    const runner = await ApiClient.of(app, instanceId, { roles: ['ACTIONS_RUNNER'] });
    const owner = await app.token(instanceId, { roles: ['IAM_OWNER'] });
    for (const client of clients) {
      for (const rpc of RPCS) {
        await client.call(rpc, REQUESTS[rpc](), runner.token);
        await client.call(rpc, REQUESTS[rpc](), owner);
      }
    }
    expect((await runner.listTargets()).status).toBe(403);
    expect((await runner.createTarget({ name: 'x', restWebhook: {}, timeout: '1s', endpoint: 'https://example.com' })).status).toBe(403);
    expect((await runner.setExecution({ condition: { request: { all: true } }, targets: [] })).status).toBe(403);
    expect((await app.http().post('/v2/actions/targets/search').set('Authorization', `Bearer ${runner.token}`).send({})).status).toBe(403);
  });
});
