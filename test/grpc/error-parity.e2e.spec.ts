import { randomUUID } from 'node:crypto';
import { fromJson, type JsonObject } from '@bufbuild/protobuf';
import { ConnectError, type CallOptions, type Client } from '@connectrpc/connect';
import { ActionService } from '../../src/grpc/gen/zitadel/action/v3alpha/action_service_pb';
import { ErrorDetailSchema } from '../../src/grpc/gen/zitadel/v1/error_detail_pb';
import { ApiClient, POST_AUTH_FUNCTION, SESSION_LIST, SESSION_SERVICE } from '../support/api';
import { PROTOCOLS, startGrpcTestApp, type GrpcTestApp, type Protocol } from './support/grpc-test-app';

type Rpc = keyof typeof ActionService.method;

/** What a client learns from an error, whatever the transport. */
interface Failure {
  code: number;
  message: string;
  id: string | undefined;
  detailMessage: string | undefined;
}

type Caller = 'owner' | 'anonymous' | 'bad-token' | 'reader';

interface ErrorCase {
  name: string;
  rpc: Rpc;
  /** Protobuf JSON of the request: the REST body (plus the path's targetId) and the RPC message alike. */
  request: (fixture: Fixture) => JsonObject;
  caller?: Caller;
  setup?: (api: ApiClient, fixture: Fixture) => Promise<void>;
  code: number;
  id?: string;
}

interface Fixture {
  targetId: string;
}

const webhook = { restWebhook: { interruptOnError: false }, timeout: '10s', endpoint: 'https://example.com/hook' };
const all = { request: { all: true } };
const method = { request: { method: SESSION_LIST } };

/** Spec §5, each situation once; every case is sent over REST and over each RPC protocol. */
const CASES: ErrorCase[] = [
  { name: 'no token', rpc: 'deleteExecution', caller: 'anonymous', request: () => ({ condition: all }), code: 16, id: 'AUTH-Hq2mB' },
  { name: 'an invalid token', rpc: 'listExecutions', caller: 'bad-token', request: () => ({}), code: 16 },
  { name: 'a missing permission', rpc: 'setExecution', caller: 'reader', request: (f) => ({ condition: all, targets: [{ target: f.targetId }] }), code: 7, id: 'AUTH-5mWD2' },
  { name: 'a missing condition', rpc: 'deleteExecution', request: () => ({}), code: 3 },
  { name: 'an empty condition oneof', rpc: 'deleteExecution', request: () => ({ condition: {} }), code: 3 },
  { name: 'a request condition without method/service/all', rpc: 'deleteExecution', request: () => ({ condition: { request: {} } }), code: 3, id: 'COMMAND-3tkej630e6' },
  { name: 'an event condition without event/group/all', rpc: 'setExecution', request: (f) => ({ condition: { event: {} }, targets: [{ target: f.targetId }] }), code: 3, id: 'COMMAND-w5smb6v7qu' },
  { name: 'a function without name', rpc: 'deleteExecution', request: () => ({ condition: { function: { name: '' } } }), code: 3, id: 'COMMAND-5folwn5jws' },
  { name: 'a method longer than 1000 characters', rpc: 'deleteExecution', request: () => ({ condition: { request: { method: `/a.B/${'x'.repeat(1000)}` } } }), code: 3 },
  { name: 'a method not in the catalogue', rpc: 'setExecution', request: (f) => ({ condition: { request: { method: '/zitadel.no.v1.NoService/No' } }, targets: [{ target: f.targetId }] }), code: 5, id: 'COMMAND-vysplsevt8' },
  { name: 'a service not in the catalogue', rpc: 'setExecution', request: (f) => ({ condition: { response: { service: 'zitadel.no.v1.NoService' } }, targets: [{ target: f.targetId }] }), code: 5, id: 'COMMAND-qu6dfhiioq' },
  { name: 'a function not in the catalogue', rpc: 'setExecution', request: (f) => ({ condition: { function: { name: 'No.Such.Function' } }, targets: [{ target: f.targetId }] }), code: 5, id: 'COMMAND-cdy39t0ksr' },
  { name: 'an empty target list', rpc: 'setExecution', request: () => ({ condition: method, targets: [] }), code: 3, id: 'COMMAND-56bteot2uj' },
  { name: 'a target that does not exist', rpc: 'setExecution', request: () => ({ condition: method, targets: [{ target: 'no-such-target' }] }), code: 5, id: 'COMMAND-17e8fq1ggk' },
  { name: 'an include that does not exist', rpc: 'setExecution', request: () => ({ condition: method, targets: [{ include: { request: { service: SESSION_SERVICE } } }] }), code: 5, id: 'COMMAND-slgj0l4cdz' },
  { name: 'an include of itself', rpc: 'setExecution', request: () => ({ condition: method, targets: [{ include: method }] }), code: 9, id: 'COMMAND-mo1cmjp5k7' },
  {
    name: 'an include chain back to the execution',
    rpc: 'setExecution',
    setup: async (api, f) => {
      await expectOk(api.setExecution({ condition: all, targets: [{ target: f.targetId }] }));
      await expectOk(api.setExecution({ condition: method, targets: [{ include: all }] }));
    },
    request: () => ({ condition: all, targets: [{ include: method }] }),
    code: 9,
    id: 'COMMAND-819opvhgjv',
  },
  { name: 'deleting an execution never set', rpc: 'deleteExecution', request: () => ({ condition: { function: { name: POST_AUTH_FUNCTION } } }), code: 5, id: 'COMMAND-suq2upd3rt' },
  { name: 'an unspecified execution type query', rpc: 'listExecutions', request: () => ({ queries: [{ executionTypeQuery: { executionType: 'EXECUTION_TYPE_UNSPECIFIED' } }] }), code: 3 },
  { name: 'a target without name', rpc: 'createTarget', request: () => ({ ...webhook, name: '' }), code: 3, id: 'COMMAND-ddqbm9us5p' },
  { name: 'a target without timeout', rpc: 'createTarget', request: () => ({ name: 'hook2', restCall: {}, endpoint: 'https://example.com' }), code: 3, id: 'COMMAND-39f35d8uri' },
  { name: 'a target with a negative timeout', rpc: 'createTarget', request: () => ({ ...webhook, name: 'hook2', timeout: '-1s' }), code: 3 },
  { name: 'a target with a bad endpoint', rpc: 'createTarget', request: () => ({ ...webhook, name: 'hook2', endpoint: 'not a url' }), code: 3, id: 'COMMAND-1r2k6qo6wg' },
  { name: 'a target name already taken', rpc: 'createTarget', request: () => ({ ...webhook, name: 'hook' }), code: 6, id: 'INSTANCE-9axkz0jvzm' },
  { name: 'updating a missing target', rpc: 'updateTarget', request: () => ({ targetId: 'no-such-target', name: 'x' }), code: 5 },
  { name: 'deleting a missing target', rpc: 'deleteTarget', request: () => ({ targetId: 'no-such-target' }), code: 5 },
  { name: 'reading a missing target', rpc: 'getTargetByID', request: () => ({ targetId: 'no-such-target' }), code: 5 },
];

describe('errors over gRPC, gRPC-web and Connect match REST', () => {
  let testApp: GrpcTestApp;

  beforeAll(async () => {
    testApp = await startGrpcTestApp();
  });
  afterAll(() => testApp.close());

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, errorCase) => {
    const instanceId = `instance-${randomUUID()}`;
    const owner = await ApiClient.of(testApp, instanceId);
    const fixture: Fixture = { targetId: await owner.newTarget('hook') };
    await errorCase.setup?.(owner, fixture);
    const request = errorCase.request(fixture);
    const authorization = await authorizationOf(testApp, instanceId, errorCase.caller ?? 'owner');

    const rest = await restFailure(testApp, errorCase.rpc, request, authorization);
    expect(rest.code).toBe(errorCase.code);
    if (errorCase.id) expect(rest.id).toBe(errorCase.id);
    expect(rest.id).toEqual(expect.any(String));

    for (const protocol of PROTOCOLS) {
      const failure = await rpcFailure(testApp.actionClient(protocol), errorCase.rpc, request, authorization, protocol);
      expect({ protocol, ...failure }).toEqual({ protocol, ...rest });
    }
  });
});

async function expectOk(response: Promise<{ status: number }>): Promise<void> {
  expect((await response).status).toBe(200);
}

async function authorizationOf(testApp: GrpcTestApp, instanceId: string, caller: Caller): Promise<string | undefined> {
  switch (caller) {
    case 'anonymous':
      return undefined;
    case 'bad-token':
      return 'Bearer not.a.token';
    case 'reader':
      return `Bearer ${await testApp.token(instanceId, { roles: [], permissions: ['execution.read', 'execution.target.read'] })}`;
    case 'owner':
      return `Bearer ${await testApp.token(instanceId)}`;
  }
}

/** The REST call of an RPC (spec §1): path parameters come out of the request, the rest is the body. */
function restCallOf(rpc: Rpc, request: JsonObject): { method: 'get' | 'post' | 'put' | 'delete'; path: string; body?: JsonObject } {
  const { targetId, ...body } = request;
  const target = `/v3alpha/targets/${encodeURIComponent(String(targetId))}`;
  switch (rpc) {
    case 'createTarget':
      return { method: 'post', path: '/v3alpha/targets', body: request };
    case 'updateTarget':
      return { method: 'put', path: target, body };
    case 'deleteTarget':
      return { method: 'delete', path: target };
    case 'getTargetByID':
      return { method: 'get', path: target };
    case 'listTargets':
      return { method: 'post', path: '/v3alpha/targets/search', body: request };
    case 'setExecution':
      return { method: 'put', path: '/v3alpha/executions', body: request };
    case 'deleteExecution':
      return { method: 'delete', path: '/v3alpha/executions', body: request };
    case 'listExecutions':
      return { method: 'post', path: '/v3alpha/executions/search', body: request };
    case 'listExecutionFunctions':
      return { method: 'get', path: '/v3alpha/executions/functions' };
    case 'listExecutionMethods':
      return { method: 'get', path: '/v3alpha/executions/methods' };
    case 'listExecutionServices':
      return { method: 'get', path: '/v3alpha/executions/services' };
  }
}

async function restFailure(testApp: GrpcTestApp, rpc: Rpc, request: JsonObject, authorization: string | undefined): Promise<Failure> {
  const { method, path, body } = restCallOf(rpc, request);
  let call = testApp.http()[method](path);
  if (authorization) call = call.set('Authorization', authorization);
  const response = body === undefined ? await call : await call.send(body);
  expect(response.status).toBeGreaterThanOrEqual(400);
  const error = response.body as { code: number; message: string; details: { id: string; message: string }[] };
  return { code: error.code, message: error.message, id: error.details[0]?.id, detailMessage: error.details[0]?.message };
}

async function rpcFailure(client: Client<typeof ActionService>, rpc: Rpc, request: JsonObject, authorization: string | undefined, protocol: Protocol): Promise<Failure> {
  const message = fromJson(ActionService.method[rpc].input, request);
  const options: CallOptions = authorization ? { headers: { authorization } } : {};
  const call = client[rpc] as (request: unknown, options: CallOptions) => Promise<unknown>;
  try {
    await call(message, options);
  } catch (error) {
    if (!(error instanceof ConnectError)) throw error;
    const [detail] = error.findDetails(ErrorDetailSchema);
    return { code: error.code, message: error.rawMessage, id: detail?.id, detailMessage: detail?.message };
  }
  throw new Error(`${rpc} over ${protocol} succeeded`);
}
