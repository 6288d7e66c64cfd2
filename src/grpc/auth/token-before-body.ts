import type { DescService } from '@bufbuild/protobuf';
import { createContextValues, type ConnectRouter } from '@connectrpc/connect';
import { createAsyncIterable, encodeEnvelope, type UniversalHandler, type UniversalServerRequest, type UniversalServerResponse } from '@connectrpc/connect/protocol';
import type { Caller } from '../../auth/caller';
import { VERIFIED_TOKEN } from './caller-context';

/**
 * Connect reads and parses the whole request message before any interceptor runs, so an
 * anonymous caller could make every RPC read up to the body limit and learn how its body is
 * judged. Each handler of `service` checks the token first; a call it refuses is handed to the
 * handler with the smallest valid message of its protocol instead of its body, so the auth
 * interceptor answers it in that protocol's own format without a byte of the body read. An
 * accepted call carries its caller on (VERIFIED_TOKEN), so the token is verified once.
 */
export function checkTokenBeforeBody(router: ConnectRouter, service: DescService, verifyToken: VerifyToken): void {
  router.handlers.forEach((handler, index) => {
    if (handler.service.typeName === service.typeName) router.handlers[index] = withTokenFirst(handler, verifyToken);
  });
}

/** Throws for a missing or invalid bearer token. */
type VerifyToken = (authorization: string | undefined) => Promise<Caller>;

function withTokenFirst(handler: UniversalHandler, verifyToken: VerifyToken): UniversalHandler {
  const wrapped = async (request: UniversalServerRequest): Promise<UniversalServerResponse> => {
    let caller: Caller;
    try {
      caller = await verifyToken(request.header.get('authorization') ?? undefined);
    } catch {
      const response = await handler({ ...request, header: withoutBodyHeaders(request.header), body: createAsyncIterable([emptyMessage(request.header.get('content-type') ?? '')]) });
      if (!request.httpVersion.startsWith('1')) return response;
      // HTTP/1.1: close rather than read the unread body to keep the connection.
      const header = new Headers(response.header);
      header.set('connection', 'close');
      return { ...response, header };
    }
    const contextValues = request.contextValues ?? createContextValues();
    contextValues.set(VERIFIED_TOKEN, caller);
    return handler({ ...request, contextValues });
  };
  return Object.assign(wrapped, handler);
}

/** The stand-in message is uncompressed and of its own length. */
function withoutBodyHeaders(header: Headers): Headers {
  const copy = new Headers(header);
  for (const name of ['content-length', 'content-encoding', 'connect-content-encoding', 'grpc-encoding']) copy.delete(name);
  return copy;
}

const NOTHING = new Uint8Array(0);
const EMPTY_JSON_OBJECT = new TextEncoder().encode('{}');

/** The empty request message as the protocol of `contentType` frames it. */
function emptyMessage(contentType: string): Uint8Array {
  const json = /^application\/(grpc(-web)?\+)?json/.test(contentType) || /^application\/connect\+json/.test(contentType);
  const framed = /^application\/(grpc|grpc-web|connect\+)/.test(contentType);
  const message = json ? EMPTY_JSON_OBJECT : NOTHING;
  return framed ? encodeEnvelope(0, message) : message;
}
