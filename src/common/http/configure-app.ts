import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpAdapterHost } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { OPERATIONS_OPTIONS, type OperationsOptions } from '../../observability/operations-options';
import { ApiExceptionFilter } from '../errors/api-exception.filter';
import { applyResponseHeaders } from './response-headers';
import { applyServerTimeouts } from './server-timeouts';

export interface HttpOptions {
  /** Largest accepted request body in bytes. Default 1 MiB. */
  bodyLimitBytes?: number;
  /**
   * Let Nest close the application on process signals (`enableShutdownHooks`). Default true.
   * main.ts passes false: it installs its own graceful shutdown, which Nest's hooks would race
   * (closing the application a second time, then re-raising the signal: exit 143, not 0).
   */
  nestShutdownHooks?: boolean;
}

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** Keys that would reach object prototypes if a body were ever merged into an object. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function refusePrototypeKeys(key: string, value: unknown): unknown {
  if (FORBIDDEN_KEYS.has(key)) throw new SyntaxError(`Forbidden key "${key}" in JSON body`);
  return value;
}

/** No request of the API nests anywhere near this deep; much deeper input only costs stack. */
export const MAX_JSON_DEPTH = 64;

/** How deep arrays and objects nest in JSON text (brackets inside strings do not count). */
export function jsonNestingDepth(body: Uint8Array): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < body.length; index += 1) {
    const byte = body[index];
    if (inString) {
      if (byte === 0x5c) index += 1; // backslash: skip the escaped character
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) deepest = Math.max(deepest, (depth += 1));
    else if (byte === 0x5d || byte === 0x7d) depth -= 1;
  }
  return deepest;
}

/**
 * Refuses, as malformed JSON (400), bodies that are not UTF-8 (the body parser would quietly
 * turn the bad bytes into U+FFFD and store them) and bodies nested deeper than
 * {@link MAX_JSON_DEPTH} (parsing them recursively overflows the stack, whose message would
 * otherwise reach the client).
 */
function checkJsonBody(_request: IncomingMessage, _response: ServerResponse, body: Buffer, encoding: string): void {
  const refuse = (message: string): never => {
    throw Object.assign(new SyntaxError(message), { status: 400 });
  };
  if (encoding.toLowerCase() === 'utf-8' && !isUtf8(body)) refuse('Request body is not valid UTF-8');
  if (jsonNestingDepth(body) > MAX_JSON_DEPTH) refuse(`Request body nests deeper than ${MAX_JSON_DEPTH} levels`);
}

/**
 * HTTP set-up shared by main.ts and the end-to-end tests, so tests exercise exactly what
 * runs in production. The app must be created with `{ bodyParser: false }`.
 */
export function configureHttp(app: NestExpressApplication, options: HttpOptions = {}): void {
  applyServerTimeouts(app.getHttpServer(), app.get<OperationsOptions>(OPERATIONS_OPTIONS));
  applyResponseHeaders(app);
  app.useBodyParser('json', { limit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES, strict: true, reviver: refusePrototypeKeys, verify: checkJsonBody });
  app.useGlobalFilters(new ApiExceptionFilter(app.get(HttpAdapterHost)));
  if (options.nestShutdownHooks ?? true) app.enableShutdownHooks();
}
