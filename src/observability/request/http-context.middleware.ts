import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceMetrics } from '../metrics/service-metrics';
import { runWithRequestContext, type RequestContext } from './request-context';
import { observeRequest } from './request-observer';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id';

/** The request as the middleware reads it: `route` is set once the router matched one (see HttpContextMount). */
export interface ContextRequest extends IncomingMessage {
  route?: { path?: unknown };
}

/** The RPC paths served on the HTTP port (gRPC-web, Connect), for calls refused before reaching their RPC. */
const RPC_PATH = /^\/zitadel\.action\.(v3alpha|v2|v2beta)\.ActionService\/[A-Za-z]{1,64}$/;

/** The route template of an answered request, never the raw path (which would explode the label set). */
export function routeLabel(request: ContextRequest, status: number): string {
  const template = request.route?.path;
  // Catch-all paths (the not-found route is `*`) say nothing about the route.
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
 * metrics when the response finishes, and logs it once answered or abandoned (see
 * observeRequest; gRPC-web and Connect calls by their RPC and gRPC code).
 */
export function httpContextMiddleware(options: HttpContextOptions): (request: ContextRequest, response: ServerResponse, next: () => void) => void {
  return (request, response, next) => {
    const requestId = requestIdFrom(request.headers[REQUEST_ID_HEADER]);
    response.setHeader(REQUEST_ID_HEADER, requestId);
    const context: RequestContext = { correlationId: requestId, causationId: requestId, requestId };
    observeRequest(options.metrics, request, response, context, { route: () => routeLabel(request, response.statusCode), status: () => String(response.statusCode) });
    runWithRequestContext(context, next);
  };
}
