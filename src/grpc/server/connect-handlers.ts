import type { DescFile } from '@bufbuild/protobuf';
import type { ConnectRouter, ConnectRouterOptions } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { fastifyConnectPlugin } from '@connectrpc/connect-fastify';
import type { FastifyInstance } from 'fastify';
import type { FrontDoorStep } from '../../common/http/front-door';
import { BODY_LIMIT_BYTES } from '../../api/contract/json-text';
import { refuseInvalidUtf8InBinaryMessages, RPC_JSON_TEXT_DECODER } from '../../api/rpc/message-text';
import { registerReflection } from '../reflection/reflection.routes';
import { refuseUnparsableMessages } from './request-parse-errors';
import { answerUnknownGrpcMethod } from './unknown-method';

/**
 * Options shared by both ports: protobuf JSON as the HTTP API reads it (unknown fields
 * ignored, the text rules of a REST body), and the REST body limit for request messages
 * (Connect's default is 4 GiB).
 */
// Connect's JSON serialization takes its text decoder from these options, though the router's
// type does not name it.
const JSON_OPTIONS = { ignoreUnknownFields: true, textDecoder: RPC_JSON_TEXT_DECODER };
const ROUTER_OPTIONS: ConnectRouterOptions = {
  jsonOptions: JSON_OPTIONS,
  readMaxBytes: BODY_LIMIT_BYTES,
};

refuseInvalidUtf8InBinaryMessages();

/**
 * The handler of the h2c port: native gRPC, gRPC-web and Connect for the API, plus server
 * reflection (a bidirectional stream, which needs HTTP/2).
 */
export function createH2cHandler(routes: (router: ConnectRouter) => void, reflectedFiles: readonly DescFile[]): ReturnType<typeof connectNodeAdapter> {
  return connectNodeAdapter({
    ...ROUTER_OPTIONS,
    fallback: (request, response) => {
      if (answerUnknownGrpcMethod(request, response)) return;
      response.writeHead(404);
      response.end();
    },
    routes: (router) => {
      routes(router);
      registerReflection(router, reflectedFiles);
      refuseUnparsableMessages(router);
    },
  });
}

/**
 * Serves gRPC-web and Connect for the API on the main HTTP/1.1 port: one route per RPC path
 * (`/<package>.<Service>/<Method>`), which reads its own request's body (with its own size
 * limit and Connect-shaped errors). Returns the paths served, filled in once the plugin has
 * loaded (when the application starts).
 */
export function registerHttpPortRpc(instance: FastifyInstance, routes: (router: ConnectRouter) => void): ReadonlySet<string> {
  const paths = new Set<string>();
  // Native gRPC needs HTTP/2 trailers: it is served on the h2c port only.
  void instance.register(fastifyConnectPlugin, {
    ...ROUTER_OPTIONS,
    grpc: false,
    routes: (router) => {
      routes(router);
      refuseUnparsableMessages(router);
      for (const handler of router.handlers) paths.add(handler.requestPath);
    },
  });
  return paths;
}

/**
 * A front-door step answering gRPC and gRPC-web calls of any path the port does not serve as
 * an RPC with UNIMPLEMENTED (see answerUnknownGrpcMethod); every other request passes on.
 */
export function unknownGrpcMethodStep(served: ReadonlySet<string>): FrontDoorStep {
  return (request, response, next) => {
    if (served.has((request.url ?? '').split('?', 1)[0]) || !answerUnknownGrpcMethod(request, response)) next();
  };
}
