import { fromJson, toJson, type JsonObject } from '@bufbuild/protobuf';
import { ConnectError } from '@connectrpc/connect';
import { RuntimeService } from '../../src/grpc/gen/actions/runtime/v1/runtime_service_pb';
import { ErrorDetailSchema } from '../../src/grpc/gen/zitadel/v1/error_detail_pb';
import { bearer, PROTOCOLS, type GrpcTestApp, type Protocol } from '../grpc/support/grpc-test-app';

export type RuntimeRpc = keyof typeof RuntimeService.method;

/** A failed call as every transport reports it: the gRPC code and the API's error id. */
export class RuntimeCallError extends Error {
  constructor(
    readonly code: number,
    readonly id: string | undefined,
    message: string,
    /** The HTTP status, over REST. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** One way a host reaches the runtime: requests and answers in their protobuf JSON form. */
export interface RuntimeClient {
  readonly name: 'rest' | Protocol;
  call(rpc: RuntimeRpc, request: JsonObject, token: string): Promise<JsonObject>;
}

const REST_PATHS: Record<RuntimeRpc, (request: JsonObject) => { path: string; body: JsonObject }> = {
  runRequest: (request) => ({ path: '/runtime/v1/request', body: request }),
  runResponse: (request) => ({ path: '/runtime/v1/response', body: request }),
  runFunction: ({ name, ...body }) => ({ path: `/runtime/v1/functions/${encodeURIComponent(String(name))}`, body }),
  publishEvents: (request) => ({ path: '/runtime/v1/events', body: request }),
};
const SUCCESS: Record<RuntimeRpc, number> = { runRequest: 200, runResponse: 200, runFunction: 200, publishEvents: 202 };

function restClient(app: GrpcTestApp): RuntimeClient {
  return {
    name: 'rest',
    async call(rpc, request, token) {
      const { path, body } = REST_PATHS[rpc](request);
      const response = await app.http().post(path).set('Authorization', `Bearer ${token}`).send(body);
      if (response.status === SUCCESS[rpc]) return response.body as JsonObject;
      const error = response.body as { code?: number; message?: string; details?: { id?: string }[] };
      throw new RuntimeCallError(error.code ?? -1, error.details?.[0]?.id, error.message ?? '', response.status);
    },
  };
}

function rpcClient(app: GrpcTestApp, protocol: Protocol): RuntimeClient {
  const client = app.client(RuntimeService, protocol) as unknown as Record<RuntimeRpc, (request: unknown, options: object) => Promise<unknown>>;
  return {
    name: protocol,
    async call(rpc, request, token) {
      const method = RuntimeService.method[rpc];
      try {
        return toJson(method.output, (await client[rpc](fromJson(method.input, request), bearer(token))) as never, { alwaysEmitImplicit: true }) as JsonObject;
      } catch (error) {
        if (!(error instanceof ConnectError)) throw error;
        throw new RuntimeCallError(error.code, error.findDetails(ErrorDetailSchema)[0]?.id, error.rawMessage);
      }
    },
  };
}

/** REST and the three RPC protocols. */
export const runtimeClients = (app: GrpcTestApp): RuntimeClient[] => [restClient(app), ...PROTOCOLS.map((protocol) => rpcClient(app, protocol))];
