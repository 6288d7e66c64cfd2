import { HttpAdapterHost } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { OPERATIONS_OPTIONS, type OperationsOptions } from '../../observability/operations-options';
import { ApiExceptionFilter } from '../errors/api-exception.filter';
import { applyResponseHeaders } from './response-headers';
import { applyServerTimeouts } from './server-timeouts';

export interface HttpOptions {
  /**
   * Let Nest close the application on process signals (`enableShutdownHooks`). Default true.
   * main.ts passes false: it installs its own graceful shutdown, which Nest's hooks would race
   * (closing the application a second time, then re-raising the signal: exit 143, not 0).
   */
  nestShutdownHooks?: boolean;
}

/**
 * HTTP set-up shared by main.ts and the end-to-end tests, so tests exercise exactly what
 * runs in production. The app must be created with `{ bodyParser: false }`: a REST route reads
 * its JSON body itself once the caller is authorized (src/api/rest/json-body.ts).
 */
export function configureHttp(app: NestExpressApplication, options: HttpOptions = {}): void {
  applyServerTimeouts(app.getHttpServer(), app.get<OperationsOptions>(OPERATIONS_OPTIONS));
  applyResponseHeaders(app);
  app.useGlobalFilters(new ApiExceptionFilter(app.get(HttpAdapterHost)));
  if (options.nestShutdownHooks ?? true) app.enableShutdownHooks();
}
