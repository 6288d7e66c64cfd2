import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DescFile } from '@bufbuild/protobuf';
import type { ConnectRouter, ConnectRouterOptions } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { expressConnectMiddleware } from '@connectrpc/connect-express';
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
 * Express middleware for the main HTTP/1.1 port: gRPC-web and Connect for the API. It answers
 * its own `/<package>.<Service>/<Method>` paths, and gRPC-web calls of any other method with
 * UNIMPLEMENTED; every other request passes on, so the JSON routes of the application are
 * untouched.
 */
export function createExpressMiddleware(routes: (router: ConnectRouter) => void): ReturnType<typeof expressConnectMiddleware> {
  // Native gRPC needs HTTP/2 trailers: it is served on the h2c port only.
  const middleware = expressConnectMiddleware({
    ...ROUTER_OPTIONS,
    grpc: false,
    routes: (router) => {
      routes(router);
      refuseUnparsableMessages(router);
    },
  });
  const withUnknownMethods = (request: IncomingMessage, response: ServerResponse, next: () => void): void => middleware(request, response, () => void (answerUnknownGrpcMethod(request, response) || next()));
  return withUnknownMethods;
}
