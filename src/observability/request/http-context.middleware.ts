import type { IncomingMessage, ServerResponse } from 'node:http';
import { isQuietPath, logRequest } from '../logging/request-log';
import type { ServiceMetrics } from '../metrics/service-metrics';
import { runWithRequestContext } from './request-context';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id';

/** What the middleware reads of Express's request (kept structural: no express types needed). */
export interface ContextRequest extends IncomingMessage {
  route?: { path?: unknown };
}

/** The RPC paths served on the HTTP port (gRPC-web, Connect): a bounded set, fine as labels. */
const RPC_PATH = /^\/zitadel\.action\.v3alpha\.ActionService\/[A-Za-z]{1,64}$/;

/** The route template of an answered request, never the raw path (which would explode the label set). */
export function routeLabel(request: ContextRequest, status: number): string {
  const template = request.route?.path;
  // Catch-all paths (the logger middleware mounts `{/*splat}`) say nothing about the route.
  if (typeof template === 'string' && !template.includes('*')) return template;
  if (status === 404) return 'unmatched';
  const path = (request.url ?? '').split('?')[0];
  return RPC_PATH.test(path) ? path : 'other';
}

export interface HttpContextOptions {
  metrics: ServiceMetrics;
}

/**
 * First middleware of every request: gives it a request id (the caller's `x-request-id` when
 * acceptable, else a new one) echoed in the response, runs the rest of the request inside a
 * context carrying that id (it becomes the correlation and causation id of the events the
 * request appends, and the `requestId` of log records), records the request in the HTTP
 * metrics when the response finishes, and logs it once answered or abandoned.
 */
export function httpContextMiddleware(options: HttpContextOptions): (request: ContextRequest, response: ServerResponse, next: () => void) => void {
  return (request, response, next) => {
    const requestId = requestIdFrom(request.headers[REQUEST_ID_HEADER]);
    response.setHeader(REQUEST_ID_HEADER, requestId);
    const started = performance.now();
    const context = { correlationId: requestId, causationId: requestId, requestId };
    let logged = isQuietPath(request.url);
    const log = (): void => {
      if (logged) return;
      logged = true;
      logRequest(request, response, context, performance.now() - started);
    };
    response.once('finish', () => {
      const labels = { method: request.method ?? 'UNKNOWN', route: routeLabel(request, response.statusCode), status: String(response.statusCode) };
      options.metrics.httpRequests.inc(labels);
      options.metrics.httpDuration.observe(labels, (performance.now() - started) / 1000);
      log();
    });
    // A client that goes away before its answer is written: no 'finish', logged as aborted.
    response.once('close', log);
    runWithRequestContext(context, next);
  };
}
