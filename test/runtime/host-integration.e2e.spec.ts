import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { connectNodeAdapter, createConnectTransport } from '@connectrpc/connect-node';
import { Body, Controller, Module, Post, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SessionService, type ListSessionsRequest } from '@zitadel/proto/zitadel/session/v2/session_service_pb';
import request from 'supertest';
import { ActionsMethod, ActionsNestInterceptor, ActionsRuntimeClient, actionsInterceptor } from '../../src/runtime/host';
import { ApiClient } from '../support/api';
import { startGrpcTestApp, type GrpcTestApp } from '../grpc/support/grpc-test-app';
import { WebhookServer } from './webhook-server';

const METHOD = '/zitadel.session.v2.SessionService/ListSessions';
const LOOPBACK = ['127.0.0.0/8', '::1/128'];

const listening = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

@Controller()
class OrdersController {
  static calls = 0;

  @Post('orders')
  @ActionsMethod(METHOD)
  create(@Body() body: Record<string, unknown>): object {
    OrdersController.calls += 1;
    return { received: body };
  }
}

@Module({ controllers: [OrdersController] })
class HostModule {}

describe('a host running its actions through the interceptors', () => {
  let app: GrpcTestApp;
  let hooks: WebhookServer;
  let admin: ApiClient;
  let connectHost: Server;
  let nestHost: INestApplication;
  const handled: ListSessionsRequest[] = [];
  let sessions: ReturnType<typeof createClient<typeof SessionService>>;
  let actions: ActionsRuntimeClient;

  beforeAll(async () => {
    app = await startGrpcTestApp({ targetAllowedNetworks: LOOPBACK });
    hooks = await WebhookServer.start();
    admin = await ApiClient.of(app, `instance-${randomUUID()}`);
    actions = new ActionsRuntimeClient({ baseUrl: app.httpUrl, token: await app.token(admin.instanceId, { roles: ['ACTIONS_RUNNER'] }) });

    connectHost = createServer(
      connectNodeAdapter({
        routes: (router) =>
          router.service(SessionService, {
            listSessions(message) {
              handled.push(message);
              return { sessions: [] };
            },
          }),
        interceptors: [actionsInterceptor(actions, { fields: () => ({ userId: 'user-1', orgId: 'org-1' }) })],
      }),
    );
    sessions = createClient(SessionService, createConnectTransport({ baseUrl: await listening(connectHost), httpVersion: '1.1' }));

    nestHost = await NestFactory.create(HostModule, { logger: false });
    nestHost.useGlobalInterceptors(new ActionsNestInterceptor(actions));
    await nestHost.init();
  });
  afterAll(async () => {
    await nestHost.close();
    connectHost.close();
    await app.close();
    await hooks.close();
  });

  const target = (kind: 'restCall' | 'restWebhook', path: string): Promise<string> =>
    admin.newTarget(`t-${randomUUID()}`, { restWebhook: undefined, [kind]: { interruptOnError: true }, endpoint: hooks.url(path), timeout: '5s' });
  const setOn = async (condition: unknown, targets: string[]): Promise<void> => {
    expect((await admin.setExecution({ condition, targets: targets.map((id) => ({ target: id })) })).status).toBe(200);
  };
  const clear = async (): Promise<void> => {
    for (const type of ['request', 'response']) await admin.deleteExecution({ condition: { [type]: { method: METHOD } } });
  };
  beforeEach(clear);

  it('Connect: the handler gets the request the restCall made, the caller the response it made; credentials stay with the host', async () => {
    const [onRequest, onResponse] = [`/${randomUUID()}`, `/${randomUUID()}`];
    hooks.on(onRequest, (call, response) => {
      const body = JSON.parse(call.body) as { request: { query?: object } };
      response.end(JSON.stringify({ ...body.request, query: { ...body.request.query, limit: 10 } }));
    });
    hooks.answer(onResponse, 200, { details: { totalResult: '42' }, sessions: [] });
    await setOn({ request: { method: METHOD } }, [await target('restCall', onRequest)]);
    await setOn({ response: { method: METHOD } }, [await target('restCall', onResponse)]);

    const answer = await sessions.listSessions({ query: { limit: 1000 } }, { headers: { authorization: 'Bearer end-user', 'x-trace': 't-1' } });
    expect(handled.at(-1)?.query?.limit).toBe(10);
    expect(answer.details?.totalResult).toBe(42n);

    const sent = JSON.parse(hooks.callsTo(onRequest)[0]!.body) as { userID: string; orgID: string; request: object; headers: Record<string, string[]> };
    expect(sent).toMatchObject({ userID: 'user-1', orgID: 'org-1', request: { query: { limit: 1000 } } });
    expect(sent.headers['x-trace']).toEqual(['t-1']);
    expect(sent.headers).not.toHaveProperty('authorization');
    expect(JSON.parse(hooks.callsTo(onResponse)[0]!.body)).toMatchObject({ request: { query: { limit: 10 } } });
  });

  it('Connect: a forwarded 403 fails the call with PermissionDenied and the message, before the handler runs', async () => {
    const path = `/${randomUUID()}`;
    hooks.answer(path, 200, { forwardedStatusCode: 403, forwardedErrorMessage: 'no sessions today' });
    await setOn({ request: { method: METHOD } }, [await target('restCall', path)]);
    const before = handled.length;
    const error = await sessions.listSessions({}).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConnectError);
    expect([(error as ConnectError).code, (error as ConnectError).rawMessage]).toEqual([Code.PermissionDenied, 'no sessions today']);
    expect(handled).toHaveLength(before);
  });

  it('Connect: without executions the call goes through unchanged', async () => {
    await sessions.listSessions({ query: { limit: 7 } });
    expect(handled.at(-1)?.query?.limit).toBe(7);
  });

  it('NestJS: the handler gets the body the restCall made, the client the response it made', async () => {
    const [onRequest, onResponse] = [`/${randomUUID()}`, `/${randomUUID()}`];
    hooks.answer(onRequest, 200, { item: 'changed by the target' });
    hooks.on(onResponse, (call, response) => response.end(JSON.stringify({ ...(JSON.parse(call.body) as { response: object }).response, audited: true })));
    await setOn({ request: { method: METHOD } }, [await target('restCall', onRequest)]);
    await setOn({ response: { method: METHOD } }, [await target('restCall', onResponse)]);
    const answer = await request(nestHost.getHttpServer()).post('/orders').send({ item: 'original' });
    expect([answer.status, answer.body]).toEqual([201, { received: { item: 'changed by the target' }, audited: true }]);
  });

  it('NestJS: a failed run answers its status with the error body, and the handler does not run', async () => {
    const path = `/${randomUUID()}`;
    hooks.answer(path, 500);
    await setOn({ request: { method: METHOD } }, [await target('restWebhook', path)]);
    const before = OrdersController.calls;
    const answer = await request(nestHost.getHttpServer()).post('/orders').send({ item: 'x' });
    expect(OrdersController.calls).toBe(before);
    expect([answer.status, answer.body]).toEqual([400, { code: 9, message: expect.stringContaining('failed'), details: [{ id: 'EXEC-dra6yamk98', message: expect.any(String) }] }]);
  });

  it('the client runs functions and publishes events, a repeat counted as already accepted', async () => {
    const path = `/${randomUUID()}`;
    hooks.answer(path, 200, { appendClaims: [{ key: 'k', value: 'v' }] });
    const name = 'Action.Flow.Type.CustomiseToken.Action.TriggerType.PreAccessTokenCreation';
    await setOn({ function: { name } }, [await target('restCall', path)]);
    expect(await actions.runFunction(name, { user: { id: 'u' } })).toEqual({ setUserMetadata: [], appendClaims: [{ key: 'k', value: 'v' }], appendLogClaims: [] });

    const event = { id: randomUUID(), aggregateId: 'user-1', aggregateType: 'user', sequence: 1, eventType: 'user.human.added', createdAt: '2026-01-02T03:04:05.123456789Z', payload: { a: 1 } };
    expect(await actions.publishEvents([event])).toEqual({ accepted: 1, alreadyAccepted: 0 });
    expect(await actions.publishEvents([event])).toEqual({ accepted: 0, alreadyAccepted: 1 });
    await expect(actions.publishEvents([])).rejects.toMatchObject({ code: 3, httpStatus: 400 });
  });
});
