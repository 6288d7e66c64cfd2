import type { DescMessage } from '@bufbuild/protobuf';
import { Code, ConnectError, type ConnectRouter } from '@connectrpc/connect';
import { createAsyncIterable, encodeEnvelope, type UniversalHandler, type UniversalServerRequest, type UniversalServerResponse } from '@connectrpc/connect/protocol';
import { codeToHttpStatus, errorFromJsonBytes, errorToJsonBytes } from '@connectrpc/connect/protocol-connect';
import { setTrailerStatus } from '@connectrpc/connect/protocol-grpc';
import { trailerFlag, trailerParse, trailerSerialize } from '@connectrpc/connect/protocol-grpc-web';
import { explainJsonError } from '../../api/contract/json-errors';
import { invalidRequest } from '../../common/errors/http-error-ids';
import { apiErrorToConnectError } from '../errors/to-connect-error';

/** How Connect words a request message that is not protobuf binary (it answers it as INTERNAL). */
const BINARY_PARSE_ERROR = 'parse binary:';
/** How protobuf-es words JSON of the wrong shape (Connect passes it on with code 3). */
const JSON_SHAPE_ERROR = 'cannot decode ';

/** The API's error for a status the library answered in its own words, or undefined to keep it. */
type Replacement = (code: number, message: string) => ConnectError | undefined;

/**
 * Connect answers a request message that is not valid protobuf binary with code 13 INTERNAL
 * ("parse binary: premature EOF"), and JSON of the wrong shape in protobuf-es' words, both
 * before any interceptor runs. Each handler of the router is wrapped so those answers become
 * the API's invalid-request error (code 3, worded as REST words the same body) on every
 * protocol. Call after every route is registered.
 */
export function refuseUnparsableMessages(router: ConnectRouter): void {
  router.handlers.forEach((handler, index) => {
    router.handlers[index] = withParseErrorsRefused(handler, handler.method.input);
  });
}

function withParseErrorsRefused(handler: UniversalHandler, input: DescMessage): UniversalHandler {
  const wrapped = async (request: UniversalServerRequest): Promise<UniversalServerResponse> => {
    const sent: Uint8Array[] = [];
    const isJson = /^application\/(grpc-web\+)?json/.test(request.header.get('content-type') ?? '');
    const teed = isJson && isByteStream(request.body) ? { ...request, body: recording(request.body, sent) } : request;
    const replacement: Replacement = (code, message) => {
      if (code === Code.Internal && message.startsWith(BINARY_PARSE_ERROR)) return refusal(`Request body is not a valid protobuf message of type ${input.typeName}`);
      if (code !== Code.InvalidArgument || !message.startsWith(JSON_SHAPE_ERROR) || !isJson) return undefined;
      const json = sentJson(Buffer.concat(sent), request.header.get('content-type') ?? '');
      return json === undefined ? undefined : refusal(explainJsonError(input, json));
    };
    return await rewrite(await handler(teed), replacement);
  };
  return Object.assign(wrapped, handler);
}

const refusal = (message: string): ConnectError => apiErrorToConnectError(invalidRequest(message));

const isByteStream = (body: unknown): body is AsyncIterable<Uint8Array> => typeof body === 'object' && body !== null && Symbol.asyncIterator in body;

async function* recording(body: AsyncIterable<Uint8Array>, sent: Uint8Array[]): AsyncIterable<Uint8Array> {
  for await (const chunk of body) {
    sent.push(chunk);
    yield chunk;
  }
}

/** The JSON message of the request: the body for Connect, its one uncompressed frame for gRPC-web. */
function sentJson(bytes: Buffer, contentType: string): unknown {
  const isFramed = contentType.startsWith('application/grpc-web');
  if (isFramed && (bytes.byteLength < 5 || bytes[0] !== 0)) return undefined;
  try {
    return JSON.parse((isFramed ? bytes.subarray(5, 5 + bytes.readUInt32BE(1)) : bytes).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

async function rewrite(response: UniversalServerResponse, replacement: Replacement): Promise<UniversalServerResponse> {
  const { body, trailer } = response;
  if (body === undefined || body instanceof Uint8Array) return response;
  // gRPC: the status is in the trailers, set once the body is read.
  if (trailer) return { ...response, body: thenFixTrailer(body, trailer, replacement) };
  const contentType = response.header?.get('content-type') ?? '';
  // gRPC-web: the status is in a trailer frame at the end of the body.
  if (contentType.startsWith('application/grpc-web')) return { ...response, body: fixingTrailerFrames(body, replacement) };
  // Connect unary: an error is a JSON body with an HTTP status.
  if (response.status >= 400 && contentType.startsWith('application/json')) return await fixConnectError(response, body, replacement);
  return response;
}

function trailerReplacement(trailer: Headers, replacement: Replacement): ConnectError | undefined {
  const code = Number(trailer.get('grpc-status') ?? '0');
  return code === 0 ? undefined : replacement(code, safeDecode(trailer.get('grpc-message') ?? ''));
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

async function* thenFixTrailer(body: AsyncIterable<Uint8Array>, trailer: Headers, replacement: Replacement): AsyncIterable<Uint8Array> {
  yield* body;
  const error = trailerReplacement(trailer, replacement);
  if (error) setTrailerStatus(trailer, error);
}

async function* fixingTrailerFrames(body: AsyncIterable<Uint8Array>, replacement: Replacement): AsyncIterable<Uint8Array> {
  for await (const chunk of body) {
    // Each chunk is one whole frame; a trailer this short is never compressed.
    const trailer = chunk.byteLength >= 5 && chunk[0] === trailerFlag ? trailerParse(chunk.subarray(5)) : undefined;
    const error = trailer && trailerReplacement(trailer, replacement);
    if (!trailer || !error) {
      yield chunk;
      continue;
    }
    setTrailerStatus(trailer, error);
    yield encodeEnvelope(trailerFlag, trailerSerialize(trailer));
  }
}

/** A Connect unary answer is whole when the handler returns; an error body is small JSON. */
async function fixConnectError(response: UniversalServerResponse, body: AsyncIterable<Uint8Array>, replacement: Replacement): Promise<UniversalServerResponse> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  const error = parseConnectError(bytes);
  const replaced = error && replacement(error.code, error.rawMessage);
  if (!replaced) return { ...response, body: createAsyncIterable([bytes]) };
  const answer = errorToJsonBytes(replaced, {});
  const header = new Headers(response.header);
  header.set('content-length', String(answer.byteLength));
  return { ...response, header, status: codeToHttpStatus(replaced.code), body: createAsyncIterable([answer]) };
}

function parseConnectError(bytes: Uint8Array): ConnectError | undefined {
  try {
    return errorFromJsonBytes(bytes, undefined, new ConnectError('not a Connect error', Code.Unknown));
  } catch {
    return undefined;
  }
}
