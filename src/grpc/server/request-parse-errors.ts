import type { DescMessage } from '@bufbuild/protobuf';
import { Code, ConnectError, type ConnectRouter } from '@connectrpc/connect';
import { createAsyncIterable, encodeEnvelope, type UniversalHandler, type UniversalServerResponse } from '@connectrpc/connect/protocol';
import { codeToHttpStatus, errorFromJsonBytes, errorToJsonBytes } from '@connectrpc/connect/protocol-connect';
import { setTrailerStatus } from '@connectrpc/connect/protocol-grpc';
import { trailerFlag, trailerParse, trailerSerialize } from '@connectrpc/connect/protocol-grpc-web';
import { invalidRequest } from '../../common/errors/http-error-ids';
import { apiErrorToConnectError } from '../errors/to-connect-error';

/** How Connect words a request message that is not protobuf binary (it answers it as INTERNAL). */
const BINARY_PARSE_ERROR = 'parse binary:';

/**
 * Connect answers a request message that is not valid protobuf binary with code 13 INTERNAL
 * ("parse binary: premature EOF"), before any interceptor runs. Each handler of the router is
 * wrapped so that answer becomes the API's invalid-request error (code 3) on every protocol.
 * Call after every route is registered.
 */
export function refuseUnparsableMessages(router: ConnectRouter): void {
  router.handlers.forEach((handler, index) => {
    router.handlers[index] = withParseErrorsRefused(handler, handler.method.input);
  });
}

function withParseErrorsRefused(handler: UniversalHandler, input: DescMessage): UniversalHandler {
  const refusal = (): ConnectError => apiErrorToConnectError(invalidRequest(`Request body is not a valid protobuf message of type ${input.typeName}`));
  const wrapped = async (request: Parameters<UniversalHandler>[0]): Promise<UniversalServerResponse> => await rewrite(await handler(request), refusal);
  return Object.assign(wrapped, handler);
}

async function rewrite(response: UniversalServerResponse, refusal: () => ConnectError): Promise<UniversalServerResponse> {
  const { body, trailer } = response;
  if (body === undefined || body instanceof Uint8Array) return response;
  // gRPC: the status is in the trailers, set once the body is read.
  if (trailer) return { ...response, body: thenFixTrailer(body, trailer, refusal) };
  const contentType = response.header?.get('content-type') ?? '';
  // gRPC-web: the status is in a trailer frame at the end of the body.
  if (contentType.startsWith('application/grpc-web')) return { ...response, body: fixingTrailerFrames(body, refusal) };
  // Connect unary: an error is a JSON body with an HTTP status.
  if (response.status === 500 && contentType.startsWith('application/json')) return await fixConnectError(response, body, refusal);
  return response;
}

const isBinaryParseError = (code: string | null, message: string | null): boolean =>
  code === String(Code.Internal) && safeDecode(message ?? '').startsWith(BINARY_PARSE_ERROR);

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

async function* thenFixTrailer(body: AsyncIterable<Uint8Array>, trailer: Headers, refusal: () => ConnectError): AsyncIterable<Uint8Array> {
  yield* body;
  if (isBinaryParseError(trailer.get('grpc-status'), trailer.get('grpc-message'))) setTrailerStatus(trailer, refusal());
}

async function* fixingTrailerFrames(body: AsyncIterable<Uint8Array>, refusal: () => ConnectError): AsyncIterable<Uint8Array> {
  for await (const chunk of body) {
    // Each chunk is one whole frame; a trailer this short is never compressed.
    if (chunk.byteLength < 5 || chunk[0] !== trailerFlag) {
      yield chunk;
      continue;
    }
    const trailer = trailerParse(chunk.subarray(5));
    if (!isBinaryParseError(trailer.get('grpc-status'), trailer.get('grpc-message'))) {
      yield chunk;
      continue;
    }
    setTrailerStatus(trailer, refusal());
    yield encodeEnvelope(trailerFlag, trailerSerialize(trailer));
  }
}

/** A Connect unary answer is whole when the handler returns; an error body is small JSON. */
async function fixConnectError(response: UniversalServerResponse, body: AsyncIterable<Uint8Array>, refusal: () => ConnectError): Promise<UniversalServerResponse> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  const error = parseConnectError(bytes);
  if (error?.code !== Code.Internal || !error.rawMessage.startsWith(BINARY_PARSE_ERROR)) return { ...response, body: createAsyncIterable([bytes]) };
  const answer = errorToJsonBytes(refusal(), {});
  const header = new Headers(response.header);
  header.set('content-length', String(answer.byteLength));
  return { ...response, header, status: codeToHttpStatus(Code.InvalidArgument), body: createAsyncIterable([answer]) };
}

function parseConnectError(bytes: Uint8Array): ConnectError | undefined {
  try {
    return errorFromJsonBytes(bytes, undefined, new ConnectError('not a Connect error', Code.Unknown));
  } catch {
    return undefined;
  }
}
