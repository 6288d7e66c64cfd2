import { createHmac, randomUUID } from 'node:crypto';
import { QueryBus } from '@nestjs/cqrs';
import { ApiError } from '../../src/common/errors/api-error';
import type { RunContext } from '../../src/runtime/domain/call-bodies';
import { RunService, type MethodRun } from '../../src/runtime/run/run-service';
import { GetTargetQuery } from '../../src/targets/queries/target.queries';
import { ApiClient } from '../support/api';
import { STORE_SETUPS, startTestApp, type TestApp } from '../support/test-app';
import { WebhookServer } from './webhook-server';

const METHOD = '/zitadel.session.v2.SessionService/ListSessions';
const FUNCTION = 'Action.Flow.Type.CustomiseToken.Action.TriggerType.PreAccessTokenCreation';
const LOOPBACK = ['127.0.0.0/8', '::1/128'];

describe.each(STORE_SETUPS)('running request, response and function executions (%s)', (setup) => {
  let testApp: TestApp;
  let hooks: WebhookServer;
  let api: ApiClient;
  let runs: RunService;

  beforeAll(async () => {
    testApp = await startTestApp(setup, { targetAllowedNetworks: LOOPBACK });
    hooks = await WebhookServer.start();
    runs = testApp.app.get(RunService);
  });
  afterAll(async () => {
    await testApp.close();
    await hooks.close();
  });
  beforeEach(async () => {
    api = await ApiClient.of(testApp, `instance-${randomUUID()}`);
  });

  type Kind = 'restWebhook' | 'restCall' | 'restAsync';
  const target = (name: string, kind: Kind, path: string, options: { interrupt?: boolean; timeout?: string } = {}): Promise<string> =>
    api.newTarget(`${name}-${randomUUID()}`, {
      restWebhook: undefined,
      [kind]: kind === 'restAsync' ? {} : { interruptOnError: options.interrupt ?? false },
      endpoint: hooks.url(path),
      timeout: options.timeout ?? '5s',
    });
  const setOn = async (condition: unknown, targets: Array<{ target: string } | { include: unknown }>): Promise<void> => {
    const response = await api.setExecution({ condition, targets });
    expect(response.status).toBe(200);
  };
  const methodRun = (context: RunContext): MethodRun => ({ instanceId: context.instanceId, fullMethod: context.fullMethod, context: () => context });
  /** What the host gets back: the last restCall's replacement, or its own value unchanged. */
  const request = async (fullMethod = METHOD, body: unknown = { query: 'original' }): Promise<unknown> =>
    ((await runs.runRequest(methodRun({ instanceId: api.instanceId, fullMethod, userId: 'user-1', headers: { 'x-custom': ['a'] } }), () => body)) ?? { value: body }).value;
  const errorOf = async (run: Promise<unknown>): Promise<ApiError> => {
    try {
      await run;
    } catch (error) {
      if (error instanceof ApiError) return error;
      throw error;
    }
    throw new Error('the run succeeded');
  };
  const unique = (): string => `/${randomUUID()}`;

  it('leaves the request unchanged when no execution applies', async () => {
    expect(await request()).toEqual({ query: 'original' });
  });

  it('calls a restWebhook with the ZITADEL body, signed with the target key (verified with node:crypto)', async () => {
    const path = unique();
    const id = await target('hook', 'restWebhook', path);
    await setOn({ request: { method: METHOD } }, [{ target: id }]);
    expect(await request()).toEqual({ query: 'original' });

    const [call] = hooks.callsTo(path);
    expect(call!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(call!.body)).toEqual({
      fullMethod: METHOD,
      instanceID: api.instanceId,
      userID: 'user-1',
      request: { query: 'original' },
      headers: { 'x-custom': ['a'] },
    });
    const key = (await testApp.app.get(QueryBus).execute(new GetTargetQuery(api.instanceId, id, { withSigningKey: true }))).signingKey!;
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(call!.headers['zitadel-signature'] as string)!;
    expect(Math.abs(Number(t) - Date.now() / 1000)).toBeLessThan(60);
    expect(v1).toBe(createHmac('sha256', key).update(`${t}.${call!.body}`).digest('hex'));
  });

  it('passes the request through restCalls in order, each answer replacing it, an empty answer keeping it', async () => {
    const [first, empty, second] = [unique(), unique(), unique()];
    hooks.answer(first, 200, { query: 'from-first' });
    hooks.answer(empty, 200);
    hooks.on(second, (call, response) => response.end(JSON.stringify({ query: `${(JSON.parse(call.body) as { request: { query: string } }).request.query}+second` })));
    const ids = [await target('a', 'restCall', first), await target('b', 'restCall', empty), await target('c', 'restCall', second)];
    await setOn({ request: { method: METHOD } }, ids.map((id) => ({ target: id })));
    expect(await request()).toEqual({ query: 'from-first+second' });
    expect(JSON.parse(hooks.callsTo(empty)[0]!.body).request).toEqual({ query: 'from-first' });
  });

  it('replaces the response through restCalls, sending request and response', async () => {
    const path = unique();
    hooks.answer(path, 200, { sessions: ['changed'] });
    await setOn({ response: { service: 'zitadel.session.v2.SessionService' } }, [{ target: await target('r', 'restCall', path) }]);
    const response = await runs.runResponse(methodRun({ instanceId: api.instanceId, fullMethod: METHOD }), () => ({ q: 1 }), () => ({ sessions: [] }));
    expect(response).toEqual({ value: { sessions: ['changed'] } });
    expect(JSON.parse(hooks.callsTo(path)[0]!.body)).toEqual({ fullMethod: METHOD, instanceID: api.instanceId, request: { q: 1 }, response: { sessions: [] } });
  });

  it('interrupts on a failing target with interruptOnError (EXEC-dra6yamk98) and skips it without', async () => {
    const [failing, after] = [unique(), unique()];
    hooks.answer(failing, 500);
    const skipped = await target('skip', 'restWebhook', failing, { interrupt: false });
    const next = await target('next', 'restWebhook', after);
    await setOn({ request: { method: METHOD } }, [{ target: skipped }, { target: next }]);
    await request();
    expect(hooks.callsTo(after)).toHaveLength(1);

    const stopping = await target('stop', 'restWebhook', failing, { interrupt: true });
    await setOn({ request: { method: METHOD } }, [{ target: stopping }, { target: next }]);
    const error = await errorOf(request());
    expect([error.code, error.id]).toEqual([9, 'EXEC-dra6yamk98']);
    expect(hooks.callsTo(after)).toHaveLength(1);
  });

  it.each<[string, (path: string) => void]>([
    ['answers non-JSON to a restCall', (path) => hooks.answer(path, 200, 'not json')],
    ['redirects (not followed)', (path) => hooks.on(path, (_call, response) => response.writeHead(302, { location: '/elsewhere' }).end())],
    ['never answers within its timeout', (path) => hooks.on(path, () => undefined)],
  ])('fails a target that %s', async (_case, reply) => {
    const path = unique();
    reply(path);
    await setOn({ request: { method: METHOD } }, [{ target: await target('bad', 'restCall', path, { interrupt: true, timeout: '0.3s' }) }]);
    expect((await errorOf(request())).id).toBe('EXEC-dra6yamk98');
    expect(hooks.calls.filter((call) => call.path === '/elsewhere')).toHaveLength(0);
  });

  it('fails the run with forwarded errors: 403 as code 7, other 4xx as code 9, the message kept', async () => {
    const [forbidden, invalid] = [unique(), unique()];
    hooks.answer(forbidden, 200, { forwardedStatusCode: 403, forwardedErrorMessage: 'no sessions for you' });
    hooks.answer(invalid, 400, { forwardedStatusCode: 422, forwardedErrorMessage: 'bad query' });
    await setOn({ request: { method: METHOD } }, [{ target: await target('f', 'restCall', forbidden) }]);
    expect(await errorOf(request())).toMatchObject({ code: 7, id: 'EXEC-reUaUZCzCp', detailMessage: 'no sessions for you' });
    await setOn({ request: { method: METHOD } }, [{ target: await target('i', 'restCall', invalid) }]);
    expect(await errorOf(request())).toMatchObject({ code: 9, id: 'EXEC-bmhNhpcqpF', detailMessage: 'bad query' });
  });

  it('starts a restAsync target without waiting for its answer', async () => {
    const path = unique();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    hooks.on(path, (_call, response) => void held.then(() => response.end()));
    await setOn({ request: { method: METHOD } }, [{ target: await target('async', 'restAsync', path) }]);
    expect(await request()).toEqual({ query: 'original' });
    release();
    const deadline = Date.now() + 5_000;
    while (hooks.callsTo(path).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(hooks.callsTo(path)).toHaveLength(1);
  });

  it('runs only the most specific execution: method, else service, else all', async () => {
    const [method, service, all] = [unique(), unique(), unique()];
    await setOn({ request: { all: true } }, [{ target: await target('all', 'restWebhook', all) }]);
    await setOn({ request: { service: 'zitadel.session.v2.SessionService' } }, [{ target: await target('service', 'restWebhook', service) }]);
    await setOn({ request: { method: METHOD } }, [{ target: await target('method', 'restWebhook', method) }]);
    await request(METHOD);
    await request('/zitadel.session.v2.SessionService/GetSession');
    await request('/zitadel.user.v2.UserService/GetUserByID');
    expect([hooks.callsTo(method).length, hooks.callsTo(service).length, hooks.callsTo(all).length]).toEqual([1, 1, 1]);
  });

  it('expands includes in place, depth first, calling a target reached twice once', async () => {
    const [a, b, c] = [unique(), unique(), unique()];
    const [ta, tb, tc] = [await target('a', 'restCall', a), await target('b', 'restCall', b), await target('c', 'restCall', c)];
    for (const path of [a, b, c]) hooks.on(path, (call, response) => response.end(JSON.stringify({ trail: [...(JSON.parse(call.body) as { request: { trail: string[] } }).request.trail, path] })));
    await setOn({ request: { method: '/zitadel.user.v2.UserService/GetUserByID' } }, [{ target: tb }, { target: tc }]);
    await setOn({ request: { method: METHOD } }, [{ target: ta }, { include: { request: { method: '/zitadel.user.v2.UserService/GetUserByID' } } }, { target: tb }]);
    expect(await request(METHOD, { trail: [] })).toEqual({ trail: [a, b, c] });
  });

  it('sees a change to executions and targets on the very next run', async () => {
    const [before, after] = [unique(), unique()];
    const id = await target('moving', 'restWebhook', before);
    await setOn({ request: { method: METHOD } }, [{ target: id }]);
    await request();
    expect((await api.updateTarget(id, { endpoint: hooks.url(after) })).status).toBe(200);
    await request();
    expect((await api.deleteExecution({ condition: { request: { method: METHOD } } })).status).toBe(200);
    await request();
    expect([hooks.callsTo(before).length, hooks.callsTo(after).length]).toEqual([1, 1]);
  });

  it('gathers function answers from every restCall in order', async () => {
    const [first, second] = [unique(), unique()];
    hooks.answer(first, 200, { appendClaims: [{ key: 'a', value: 1 }], setUserMetadata: [{ key: 'm', value: 'x' }] });
    hooks.answer(second, 200, { appendClaims: [{ key: 'b', value: 2 }], appendLogClaims: ['logged'] });
    await setOn({ function: { name: FUNCTION } }, [{ target: await target('f1', 'restCall', first) }, { target: await target('f2', 'restCall', second) }]);
    expect(await runs.runFunction(api.instanceId, FUNCTION, { user: { id: 'u' } })).toEqual({
      setUserMetadata: [{ key: 'm', value: 'x' }],
      appendClaims: [
        { key: 'a', value: 1 },
        { key: 'b', value: 2 },
      ],
      appendLogClaims: ['logged'],
    });
    expect(JSON.parse(hooks.callsTo(first)[0]!.body)).toEqual({ function: FUNCTION, user: { id: 'u' } });
  });
});

describe('target endpoints without TARGET_ALLOWED_NETWORKS', () => {
  let testApp: TestApp;
  beforeAll(async () => (testApp = await startTestApp('sqlite')));
  afterAll(() => testApp.close());

  it.each(['http://169.254.169.254/latest', 'http://127.0.0.1/', 'http://[::1]/', 'http://localhost:8080/'])('refuses to create or update a target on %s (code 3)', async (endpoint) => {
    const api = await ApiClient.of(testApp, `instance-${randomUUID()}`);
    const created = await api.createTarget({ name: 'private', restWebhook: {}, timeout: '1s', endpoint });
    expect(created.status).toBe(400);
    expect(created.body).toMatchObject({ code: 3, details: [{ id: 'COMMAND-x8w2vt4nqp' }] });
    const id = await api.newTarget('public');
    expect((await api.updateTarget(id, { endpoint })).body).toMatchObject({ code: 3, details: [{ id: 'COMMAND-x8w2vt4nqp' }] });
  });
});
