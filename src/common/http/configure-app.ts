import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { OPERATIONS_OPTIONS, type OperationsOptions } from '../../observability/operations-options';
import { ApiExceptionFilter } from '../errors/api-exception.filter';
import { applyResponseHeaders } from './response-headers';
import { applyServerTimeouts } from './server-timeouts';
import type { HttpApplication } from './http-adapter';

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
 * runs in production. The app must be created on createHttpAdapter() with `{ bodyParser: false }`.
 */
export function configureHttp(app: HttpApplication, options: HttpOptions = {}): void {
  applyServerTimeouts(app.getHttpServer(), app.get<OperationsOptions>(OPERATIONS_OPTIONS));
  applyResponseHeaders(app.getHttpServer());
  leaveBodiesUnread(app.getHttpAdapter().getInstance() as FastifyInstance);
  app.useGlobalFilters(new ApiExceptionFilter(app.get(HttpAdapterHost)));
  if (options.nestShutdownHooks ?? true) app.enableShutdownHooks();
}

/**
 * Fastify reads no body: a REST route reads its JSON body itself once the caller is authorized
 * (src/api/rest/json-body.ts), gRPC-web and Connect read theirs with their own limits. Every
 * content type, or none, passes with the body left in the request stream.
 */
function leaveBodiesUnread(instance: FastifyInstance): void {
  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
}
