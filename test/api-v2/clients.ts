import { fromJson, toJson, type JsonObject, type JsonValue } from '@bufbuild/protobuf';
import { ConnectError, createClient, type Transport } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport } from '@connectrpc/connect-node';
import { ActionServiceDefinition as V2Definition } from '@zitadel/node/dist/api/generated/zitadel/action/v2/action_service.js';
import { ActionServiceDefinition as V2betaDefinition } from '@zitadel/node/dist/api/generated/zitadel/action/v2beta/action_service.js';
import { ActionService as PublishedV2beta } from '@zitadel/proto/zitadel/action/v2beta/action_service_pb';
import { ClientError, createChannel, createClient as createNiceClient, Metadata, type Channel } from 'nice-grpc';
import type { GrpcTestApp } from '../grpc/support/grpc-test-app';

/** The ten RPCs of ActionService v2 and v2beta, by their generated (lowerCamel) names. */
export type Rpc =
  | 'createTarget'
  | 'updateTarget'
  | 'deleteTarget'
  | 'getTarget'
  | 'listTargets'
  | 'setExecution'
  | 'listExecutions'
  | 'listExecutionFunctions'
  | 'listExecutionMethods'
  | 'listExecutionServices';

/** A failed call as every transport reports it: the gRPC code and the API's error id. */
export class CallError extends Error {
  constructor(
    readonly code: number,
    readonly id: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One way a user reaches the API. Requests and answers are in the protobuf JSON form, so one
 * scenario runs unchanged over every client; a failure rejects with a {@link CallError}.
 */
export interface V2Client {
  readonly name: string;
  readonly version: 'v2' | 'v2beta';
  call(rpc: Rpc, request: JsonObject, token: string | undefined): Promise<JsonObject>;
  close(): void;
}

const ERROR_ID = /\(([A-Z]+-[0-9A-Za-z]+)\)$/;
const idIn = (message: string): string | undefined => ERROR_ID.exec(message)?.[1];

/** Plain REST, with the paths of spec §1. */
function restClient(app: GrpcTestApp, version: 'v2' | 'v2beta'): V2Client {
  const base = `/${version}/actions`;
  const routes: Record<Rpc, (request: JsonObject) => { verb: 'get' | 'post' | 'put' | 'delete'; path: string; body?: JsonObject }> = {
    createTarget: (request) => ({ verb: 'post', path: `${base}/targets`, body: request }),
    updateTarget: ({ id, ...body }) => ({ verb: 'post', path: `${base}/targets/${encodeURIComponent(String(id))}`, body }),
    deleteTarget: ({ id }) => ({ verb: 'delete', path: `${base}/targets/${encodeURIComponent(String(id))}` }),
    getTarget: ({ id }) => ({ verb: 'get', path: `${base}/targets/${encodeURIComponent(String(id))}` }),
    listTargets: (request) => ({ verb: 'post', path: `${base}/targets/search`, body: request }),
    setExecution: (request) => ({ verb: 'put', path: `${base}/executions`, body: request }),
    listExecutions: (request) => ({ verb: 'post', path: `${base}/executions/search`, body: request }),
    listExecutionFunctions: () => ({ verb: 'get', path: `${base}/executions/functions` }),
    listExecutionMethods: () => ({ verb: 'get', path: `${base}/executions/methods` }),
    listExecutionServices: () => ({ verb: 'get', path: `${base}/executions/services` }),
  };
  return {
    name: `REST ${version}`,
    version,
    async call(rpc, request, token) {
      const { verb, path, body } = routes[rpc](request);
      let call = app.http()[verb](path);
      if (token !== undefined) call = call.set('Authorization', `Bearer ${token}`);
      const response = body === undefined ? await call : await call.send(body);
      if (response.status >= 200 && response.status < 300) return response.body as JsonObject;
      const error = response.body as { code: number; message: string; details?: { id?: string }[] };
      throw new CallError(error.code, error.details?.[0]?.id, `${response.status} ${error.message}`);
    },
    close() {},
  };
}

/** @zitadel/proto (protobuf-es) with @connectrpc/connect-node: v2beta over gRPC or Connect. */
function publishedProtoClient(transport: Transport, name: string): V2Client {
  const client = createClient(PublishedV2beta, transport) as unknown as Record<Rpc, (request: unknown, options: unknown) => Promise<unknown>>;
  return {
    name,
    version: 'v2beta',
    async call(rpc, request, token) {
      const method = PublishedV2beta.method[rpc];
      const message = fromJson(method.input, request);
      try {
        const answer = await client[rpc](message, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
        return toJson(method.output, answer as never) as JsonObject;
      } catch (error) {
        if (!(error instanceof ConnectError)) throw error;
        throw new CallError(error.code, idIn(error.rawMessage), error.message);
      }
    },
    close() {},
  };
}

/** A ts-proto message codec of @zitadel/node. */
interface Codec {
  fromJSON(json: unknown): unknown;
  toJSON(message: unknown): unknown;
}

/** ts-proto writes durations as {seconds, nanos}; the protobuf JSON form is "1.5s". */
function durationsToTsProto(value: JsonValue, key = ''): JsonValue {
  if (typeof value === 'string' && (key === 'timeout' || key === 'expirationSigningKey') && /^-?\d+(\.\d+)?s$/.test(value)) {
    const [seconds, fraction = ''] = value.slice(0, -1).split('.');
    return { seconds, nanos: Number(fraction.padEnd(9, '0')) };
  }
  if (Array.isArray(value)) return value.map((item) => durationsToTsProto(item));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, durationsToTsProto(v, k)]));
  return value;
}

function durationsFromTsProto(value: unknown, key = ''): unknown {
  if (key === 'timeout' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const { seconds = '0', nanos = 0 } = value as { seconds?: string; nanos?: number };
    return nanos === 0 ? `${seconds}s` : `${seconds}.${String(nanos).padStart(9, '0').replace(/0+$/, '')}s`;
  }
  if (Array.isArray(value)) return value.map((item) => durationsFromTsProto(item));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, durationsFromTsProto(v, k)]));
  return value;
}

/** @zitadel/node (ts-proto, nice-grpc): v2 or v2beta over native gRPC, as its users call it. */
function zitadelNodeClient(channel: Channel, version: 'v2' | 'v2beta'): V2Client {
  const definition = version === 'v2' ? V2Definition : V2betaDefinition;
  const client = createNiceClient(definition, channel) as unknown as Record<Rpc, (request: unknown, options: unknown) => Promise<unknown>>;
  const methods = definition.methods as unknown as Record<Rpc, { requestType: Codec; responseType: Codec }>;
  return {
    name: `@zitadel/node ${version} gRPC`,
    version,
    async call(rpc, request, token) {
      const { requestType, responseType } = methods[rpc];
      const metadata = new Metadata();
      if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
      try {
        const answer = await client[rpc](requestType.fromJSON(durationsToTsProto(request)), { metadata });
        return durationsFromTsProto(responseType.toJSON(answer)) as JsonObject;
      } catch (error) {
        if (!(error instanceof ClientError)) throw error;
        throw new CallError(error.code, idIn(error.details), error.message);
      }
    },
    close() {},
  };
}

/** Every client of the matrix: plain REST for both versions, and ZITADEL's published clients. */
export function v2Clients(app: GrpcTestApp): V2Client[] {
  const h2c = `http://127.0.0.1:${app.grpcPort}`;
  const channel = createChannel(h2c);
  const clients = [
    restClient(app, 'v2'),
    restClient(app, 'v2beta'),
    zitadelNodeClient(channel, 'v2'),
    zitadelNodeClient(channel, 'v2beta'),
    publishedProtoClient(createGrpcTransport({ baseUrl: h2c }), '@zitadel/proto v2beta gRPC'),
    publishedProtoClient(createConnectTransport({ baseUrl: app.httpUrl, httpVersion: '1.1' }), '@zitadel/proto v2beta Connect'),
  ];
  clients[0] = { ...clients[0], close: () => channel.close() };
  return clients;
}
