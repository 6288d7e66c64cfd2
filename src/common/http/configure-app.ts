import { HttpAdapterHost } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ApiExceptionFilter } from '../errors/api-exception.filter';
import { ApiValidationPipe } from '../validation/api-validation.pipe';

export interface HttpOptions {
  /** Largest accepted request body in bytes. Default 1 MiB. */
  bodyLimitBytes?: number;
}

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** Keys that would reach object prototypes if a body were ever merged into an object. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function refusePrototypeKeys(key: string, value: unknown): unknown {
  if (FORBIDDEN_KEYS.has(key)) throw new SyntaxError(`Forbidden key "${key}" in JSON body`);
  return value;
}

/**
 * HTTP set-up shared by main.ts and the end-to-end tests, so tests exercise exactly what
 * runs in production. The app must be created with `{ bodyParser: false }`.
 */
export function configureHttp(app: NestExpressApplication, options: HttpOptions = {}): void {
  app.useBodyParser('json', { limit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES, strict: true, reviver: refusePrototypeKeys });
  app.useGlobalFilters(new ApiExceptionFilter(app.get(HttpAdapterHost)));
  app.useGlobalPipes(new ApiValidationPipe());
  app.enableShutdownHooks();
}
