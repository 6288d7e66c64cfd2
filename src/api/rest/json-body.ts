import type { IncomingMessage } from 'node:http';
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { from, switchMap, type Observable } from 'rxjs';
import { bodyTooLarge, malformedJson, unsupportedMediaType } from '../../common/errors/http-error-ids';
import { BODY_LIMIT_BYTES, jsonTextProblem } from '../contract/json-text';

/** The framework's request, which carries the JSON body a route reads once read (undefined when the request has none). */
export interface RequestWithBody {
  body?: unknown;
  raw: IncomingMessage;
}

const SEND_JSON = 'send the body as UTF-8 JSON with Content-Type: application/json';

/** Keys that would reach object prototypes if a body were ever merged into an object. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function refusePrototypeKeys(key: string, value: unknown): unknown {
  if (FORBIDDEN_KEYS.has(key)) throw new SyntaxError(`Forbidden key "${key}"`);
  return value;
}

/**
 * Whether the text could spell a forbidden key: literally, or with a `\u` escape (the only JSON
 * escape that yields letters). Text that cannot is parsed without a reviver, which costs a
 * call per value.
 */
function mayHoldForbiddenKey(text: string): boolean {
  return text.includes('\\u') || text.includes('__proto__') || text.includes('constructor') || text.includes('prototype');
}

/**
 * Reads and parses the JSON body of a REST route. It runs as an interceptor, after the guards:
 * a caller without a valid token or permission is answered before a byte of the body is read,
 * so an anonymous client can neither make the service buffer a large or slow body nor learn
 * how it would be judged.
 */
@Injectable()
export class JsonBodyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<RequestWithBody>();
    return from(readJsonBody(request)).pipe(switchMap(() => next.handle()));
  }
}

/**
 * Sets `target.body` to the parsed JSON body (undefined without one), or throws the API error.
 * The framework left the body unread (see configureHttp): it is read here from the Node request.
 */
export async function readJsonBody(target: RequestWithBody, limitBytes = BODY_LIMIT_BYTES): Promise<void> {
  const request = target.raw;
  target.body = undefined;
  if (!hasBody(request)) return;
  const refusal = mediaTypeProblem(request.headers);
  if (refusal) throw unsupportedMediaType(refusal);
  const bytes = await readBytes(request, limitBytes);
  if (bytes.length === 0) return;
  const text = bytes.toString('utf8');
  const problem = jsonTextProblem(bytes, text);
  if (problem) throw problem;
  try {
    target.body = mayHoldForbiddenKey(text) ? JSON.parse(text, refusePrototypeKeys) : JSON.parse(text);
  } catch (error) {
    throw malformedJson(error instanceof SyntaxError && error.message.startsWith('Forbidden key') ? `Request body holds a ${error.message}` : 'Request body is not valid JSON');
  }
}

/** As HTTP/1.1 frames a body: a length above zero, or chunked transfer. */
function hasBody(request: IncomingMessage): boolean {
  return request.headers['transfer-encoding'] !== undefined || (request.headers['content-length'] ?? '0') !== '0';
}

/** Why the body cannot be read as sent (wrong or missing type, a charset but UTF-8, compression); undefined if it can. */
function mediaTypeProblem(headers: IncomingMessage['headers']): string | undefined {
  const contentType = headers['content-type'];
  if (contentType === undefined || contentType.trim() === '') return `Content-Type is missing: ${SEND_JSON}`;
  const [type = '', ...parameters] = contentType.split(';').map((part) => part.trim());
  if (type.toLowerCase() !== 'application/json') return `Content-Type ${type} is not supported: ${SEND_JSON}`;
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=', 2).map((part) => part.trim());
    const charset = value.replace(/^"(.*)"$/, '$1').toLowerCase();
    if (name.toLowerCase() === 'charset' && charset !== 'utf-8' && charset !== 'utf8') return `charset ${charset} is not supported: ${SEND_JSON}`;
  }
  const encoding = headers['content-encoding']?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') return `Content-Encoding ${encoding} is not supported: send the body uncompressed`;
  return undefined;
}

/**
 * The whole body, refused once it passes `limitBytes` (by its declared length, or while it
 * arrives). A refused body is left unread: the error answer closes the connection.
 */
function readBytes(request: IncomingMessage, limitBytes: number): Promise<Buffer> {
  if (Number(request.headers['content-length'] ?? 0) > limitBytes) return Promise.reject(bodyTooLarge(limitBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (outcome: () => void): void => {
      request.off('data', onData).off('end', onEnd).off('error', onFailure).off('close', onFailure);
      outcome();
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limitBytes) chunks.push(chunk);
      else {
        request.pause();
        settle(() => reject(bodyTooLarge(limitBytes)));
      }
    };
    const onEnd = (): void => settle(() => resolve(Buffer.concat(chunks, size)));
    // The client went away mid-body: nobody hears the answer, the request just ends.
    const onFailure = (): void => settle(() => reject(malformedJson('Request body ended early')));
    request.on('data', onData).on('end', onEnd).on('error', onFailure).on('close', onFailure);
  });
}
