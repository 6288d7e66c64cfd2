import * as http2 from 'node:http2';
import { codeFromString } from '@connectrpc/connect/protocol-connect';

/** How a raw call is framed: Connect unary (JSON or binary), gRPC-web (binary or JSON), or gRPC. */
export type RawProtocol = 'connect' | 'connect-proto' | 'grpc-web' | 'grpc-web-json' | 'grpc';

const CONTENT_TYPES: Record<RawProtocol, string> = {
  connect: 'application/json',
  'connect-proto': 'application/proto',
  'grpc-web': 'application/grpc-web+proto',
  'grpc-web-json': 'application/grpc-web+json',
  grpc: 'application/grpc',
};

/** What a client learns from a call, whatever the protocol: the status code (0: OK) and message. */
export interface RawOutcome {
  code: number;
  message: string;
  /** The HTTP status of the answer. */
  httpStatus: number;
}

export interface RawCall {
  protocol: RawProtocol;
  /** `/package.Service/Method` */
  path: string;
  /** The message as sent: JSON text or protobuf bytes, framed here for gRPC and gRPC-web. */
  message: Uint8Array | string;
  token?: string;
  /** Overrides the protocol's Content-Type. */
  contentType?: string;
}

/**
 * Sends a request message exactly as given (bytes a client library would never produce: invalid
 * UTF-8, lone surrogates) over the HTTP/1.1 port (`baseUrl`, Connect and gRPC-web) or the h2c
 * port (`h2cUrl`, any protocol), and reads the outcome from the body, headers or trailers.
 */
export async function sendRawRpc(url: { baseUrl: string } | { h2cUrl: string }, call: RawCall): Promise<RawOutcome> {
  const bytes = typeof call.message === 'string' ? Buffer.from(call.message, 'utf8') : Buffer.from(call.message);
  const framed = call.protocol.startsWith('grpc') ? Buffer.concat([Buffer.from([0, ...uint32(bytes.length)]), bytes]) : bytes;
  const headers: Record<string, string> = {
    'content-type': call.contentType ?? CONTENT_TYPES[call.protocol],
    ...(call.token ? { authorization: `Bearer ${call.token}` } : {}),
    ...(call.protocol === 'grpc' ? { te: 'trailers' } : {}),
  };
  const answer = 'baseUrl' in url ? await overHttp1(`${url.baseUrl}${call.path}`, headers, framed) : await overH2c(url.h2cUrl, call.path, headers, framed);
  return outcomeOf(call.protocol, answer);
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  trailers: Record<string, string>;
}

async function overHttp1(url: string, headers: Record<string, string>, body: Buffer): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, headers: Object.fromEntries(response.headers), body: Buffer.from(await response.arrayBuffer()), trailers: {} };
}

function overH2c(origin: string, path: string, headers: Record<string, string>, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(origin);
    session.on('error', reject);
    const stream = session.request({ ':method': 'POST', ':path': path, ...headers });
    const chunks: Buffer[] = [];
    let status = 0;
    let responseHeaders: Record<string, string> = {};
    let trailers: Record<string, string> = {};
    stream.on('response', (received) => {
      status = Number(received[':status']);
      responseHeaders = stringHeaders(received);
    });
    stream.on('trailers', (received) => (trailers = stringHeaders(received)));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', reject);
    stream.on('end', () => {
      session.close();
      resolve({ status, headers: responseHeaders, body: Buffer.concat(chunks), trailers });
    });
    stream.end(body);
  });
}

function outcomeOf(protocol: RawProtocol, answer: Answer): RawOutcome {
  if (protocol === 'connect' || protocol === 'connect-proto') {
    if (answer.status === 200) return { code: 0, message: '', httpStatus: 200 };
    const error = parseJson(answer.body) as { code?: string; message?: string } | undefined;
    return { code: (error?.code && codeFromString(error.code)) || -1, message: error?.message ?? '', httpStatus: answer.status };
  }
  // gRPC and gRPC-web: the status in the trailers, the trailers-only headers, or gRPC-web's trailer frame.
  const status = { ...answer.headers, ...answer.trailers, ...trailerFrame(protocol, answer.body) };
  return { code: status['grpc-status'] === undefined ? -1 : Number(status['grpc-status']), message: decodeURIComponent(status['grpc-message'] ?? ''), httpStatus: answer.status };
}

/** gRPC-web sends trailers as a last frame whose flag byte has the high bit set. */
function trailerFrame(protocol: RawProtocol, body: Buffer): Record<string, string> {
  if (!protocol.startsWith('grpc-web')) return {};
  for (let offset = 0; offset + 5 <= body.length; ) {
    const length = body.readUInt32BE(offset + 1);
    if ((body[offset] & 0x80) !== 0) {
      const lines = body.subarray(offset + 5, offset + 5 + length).toString('utf8').split('\r\n');
      return Object.fromEntries(lines.filter((line) => line.includes(':')).map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
    }
    offset += 5 + length;
  }
  return {};
}

function stringHeaders(headers: http2.IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]));
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

const uint32 = (value: number): number[] => [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
