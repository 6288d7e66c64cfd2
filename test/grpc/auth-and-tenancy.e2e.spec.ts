import { randomUUID } from 'node:crypto';
import { fromJson, type JsonObject } from '@bufbuild/protobuf';
import { Code, ConnectError, type CallOptions, type Client } from '@connectrpc/connect';
import { ALL_PERMISSIONS } from '../../src/auth';
import { ACTION_SERVICE_PERMISSIONS } from '../../src/grpc/auth/rpc-permissions';
import { ActionService } from '../../src/grpc/gen/zitadel/action/v3alpha/action_service_pb';
import { ServerReflection, type ServerReflectionResponse } from '../../src/grpc/gen/grpc/reflection/v1/reflection_pb';
import { ErrorDetailSchema } from '../../src/grpc/gen/zitadel/v1/error_detail_pb';
import { SESSION_LIST } from '../support/api';
import { PROTOCOLS, bearer, startGrpcTestApp, type GrpcTestApp } from './support/grpc-test-app';

type Rpc = keyof typeof ActionService.method;

/** A valid request of each RPC (it may still fail later, e.g. NotFound, but not on permission). */
const REQUESTS: Record<Rpc, JsonObject> = {
  createTarget: { name: 'hook', restAsync: {}, timeout: '1s', endpoint: 'https://example.com' },
  updateTarget: { targetId: 'missing', name: 'x' },
  deleteTarget: { targetId: 'missing' },
  getTargetByID: { targetId: 'missing' },
  listTargets: {},
  setExecution: { condition: { request: { method: SESSION_LIST } }, targets: [{ target: 'missing' }] },
  deleteExecution: { condition: { request: { method: SESSION_LIST } } },
  listExecutions: {},
  listExecutionFunctions: {},
  listExecutionMethods: {},
  listExecutionServices: {},
};
const RPCS = Object.keys(REQUESTS) as Rpc[];

async function call(client: Client<typeof ActionService>, rpc: Rpc, options: CallOptions, request: JsonObject = REQUESTS[rpc]): Promise<ConnectError | undefined> {
  const method = client[rpc] as (request: unknown, options: CallOptions) => Promise<unknown>;
  try {
    await method(fromJson(ActionService.method[rpc].input, request), options);
    return undefined;
  } catch (error) {
    if (error instanceof ConnectError) return error;
    throw error;
  }
}

const errorId = (error: ConnectError | undefined): string | undefined => error?.findDetails(ErrorDetailSchema)[0]?.id;

describe('authentication, permissions and tenant isolation over the RPC protocols', () => {
  let testApp: GrpcTestApp;

  beforeAll(async () => {
    testApp = await startGrpcTestApp();
  });
  afterAll(() => testApp.close());

  it.each(PROTOCOLS)('refuses every RPC without a token, or with a bad one, as Unauthenticated (%s)', async (protocol) => {
    const client = testApp.actionClient(protocol);
    for (const rpc of RPCS) {
      const missing = await call(client, rpc, {});
      expect({ rpc, code: missing?.code, id: errorId(missing) }).toEqual({ rpc, code: Code.Unauthenticated, id: 'AUTH-Hq2mB' });
      const forged = await call(client, rpc, { headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' } });
      expect({ rpc, code: forged?.code }).toEqual({ rpc, code: Code.Unauthenticated });
    }
  });

  it.each(RPCS)('%s needs its own permission and no other', async (rpc) => {
    const client = testApp.actionClient('grpc');
    const instanceId = `instance-${randomUUID()}`;
    const required = ACTION_SERVICE_PERMISSIONS[rpc];
    const allButRequired = await testApp.token(instanceId, { roles: [], permissions: ALL_PERMISSIONS.filter((p) => p !== required) });
    const denied = await call(client, rpc, bearer(allButRequired));
    expect({ code: denied?.code, id: errorId(denied), message: denied?.rawMessage }).toEqual({
      code: Code.PermissionDenied,
      id: 'AUTH-5mWD2',
      message: `No matching permissions found: the call needs ${required} (AUTH-5mWD2)`,
    });
    const onlyRequired = await call(client, rpc, bearer(await testApp.token(instanceId, { roles: [], permissions: [required] })));
    expect(onlyRequired?.code).not.toBe(Code.PermissionDenied);
    expect(onlyRequired?.code).not.toBe(Code.Unauthenticated);
  });

  it('keeps each instance to its own targets and executions, and records the caller as actor', async () => {
    const client = testApp.actionClient('grpc');
    const [instanceA, instanceB] = [`instance-${randomUUID()}`, `instance-${randomUUID()}`];
    const a = bearer(await testApp.token(instanceA, { subject: 'alice' }));
    const b = bearer(await testApp.token(instanceB, { subject: 'bob' }));
    const { id: targetId } = await client.createTarget(fromJson(ActionService.method.createTarget.input, REQUESTS.createTarget), a);
    await client.setExecution(fromJson(ActionService.method.setExecution.input, { ...REQUESTS.setExecution, targets: [{ target: targetId }] }), a);

    expect((await call(client, 'getTargetByID', b, { targetId }))?.code).toBe(Code.NotFound);
    expect((await call(client, 'updateTarget', b, { targetId, name: 'stolen' }))?.code).toBe(Code.NotFound);
    expect((await call(client, 'deleteTarget', b, { targetId }))?.code).toBe(Code.NotFound);
    expect(errorId(await call(client, 'setExecution', b, { ...REQUESTS.setExecution, targets: [{ target: targetId }] }))).toBe('COMMAND-17e8fq1ggk');
    expect(errorId(await call(client, 'deleteExecution', b))).toBe('COMMAND-suq2upd3rt');
    expect((await client.listTargets({}, b)).result).toEqual([]);
    expect((await client.listExecutions({}, b)).result).toEqual([]);
    // A name is unique per instance only.
    await client.createTarget(fromJson(ActionService.method.createTarget.input, REQUESTS.createTarget), b);

    expect((await client.getTargetByID({ targetId }, a)).target?.name).toBe('hook');
    expect((await client.listExecutions({}, a)).details?.totalResult).toBe(1n);
    const events = (await testApp.store.readAll({ filter: { tenant: instanceA, types: ['target.added', 'execution.v2.set'] } })).events;
    expect(events.map((event) => [event.type, event.tenant, event.metadata.actor])).toEqual([
      ['target.added', instanceA, 'alice'],
      ['execution.v2.set', instanceA, 'alice'],
    ]);
  });

  it('lists the service through reflection on the gRPC port, without a token', async () => {
    const reflection = testApp.client(ServerReflection, 'grpc');
    async function* ask() {
      yield { messageRequest: { case: 'listServices' as const, value: '' } };
    }
    const responses: ServerReflectionResponse[] = [];
    for await (const response of reflection.serverReflectionInfo(ask())) responses.push(response);
    const [answer] = responses;
    expect(answer.messageResponse.case === 'listServicesResponse' && answer.messageResponse.value.service.map((s) => s.name)).toContain(
      'zitadel.action.v3alpha.ActionService',
    );
  });

  it('leaves the REST routes of the HTTP port as they are', async () => {
    const token = await testApp.token(`instance-${randomUUID()}`);
    const rest = await testApp.http().get('/v3alpha/executions/services').set('Authorization', `Bearer ${token}`);
    expect(rest.status).toBe(200);
    expect(rest.body).toEqual({ services: expect.arrayContaining(['zitadel.session.v2.SessionService']) });
    // Paths of the service that name no RPC are not the middleware's: the REST 404 answers.
    const unknown = await testApp.http().post('/zitadel.action.v3alpha.ActionService/NoSuchRpc').set('Authorization', `Bearer ${token}`).send({});
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 5, details: [{ id: 'HTTP-9vb2kx7z0p' }] });
  });
});
