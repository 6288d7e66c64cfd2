import type * as http2 from 'node:http2';
import { grpcCodeName } from '../../observability/request/grpc-codes';
import type { ServiceMetrics } from '../../observability/metrics/service-metrics';
import { runWithRequestContext, type RequestContext } from '../../observability/request/request-context';
import { REQUEST_ID_HEADER, requestIdFrom } from '../../observability/request/request-id';
import { observeRequest } from '../../observability/request/request-observer';

type Http2Handler = (request: http2.Http2ServerRequest, response: http2.Http2ServerResponse) => void;

/** Procedures answered on the h2c port without passing the API's interceptors: labelled by name, all else `unmatched`. */
const REFLECTION_PROCEDURES: ReadonlySet<string> = new Set([
  '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
  '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo',
]);

/**
 * Gives every call on the h2c port what the HTTP port's middleware gives its requests (h2c calls
 * never pass through the HTTP port's front door): a request id (the caller's `x-request-id` metadata when
 * acceptable, else a new UUID) echoed in the response headers (gRPC: the initial response
 * metadata) and used as the correlation and causation id of the events the call appends and
 * in its log records; one log record and a count in the HTTP metrics, labelled by the RPC and
 * its gRPC code (the API's interceptors note them; otherwise the `grpc-status` sent, if any).
 */
export function withRequestContext(handler: Http2Handler, metrics: ServiceMetrics): Http2Handler {
  return (request, response) => {
    const requestId = requestIdFrom(request.headers[REQUEST_ID_HEADER]);
    response.setHeader(REQUEST_ID_HEADER, requestId);
    const context: RequestContext = { correlationId: requestId, causationId: requestId, requestId };
    const grpcStatus = watchGrpcStatus(response);
    const path = (request.url ?? '').split('?', 1)[0];
    observeRequest(metrics, request, response, context, {
      route: () => (REFLECTION_PROCEDURES.has(path) ? path : 'unmatched'),
      status: () => {
        const code = grpcStatus();
        return code === undefined ? String(response.statusCode) : grpcCodeName(code);
      },
    });
    runWithRequestContext(context, () => handler(request, response));
  };
}

/** The `grpc-status` a response sends, in its trailers or (a trailers-only answer) its headers. */
function watchGrpcStatus(response: http2.Http2ServerResponse): () => number | undefined {
  let trailerStatus: unknown;
  const addTrailers = response.addTrailers.bind(response);
  response.addTrailers = (trailers) => {
    trailerStatus = trailers['grpc-status'];
    addTrailers(trailers);
  };
  return () => {
    const value = trailerStatus ?? response.getHeader('grpc-status');
    return value === undefined ? undefined : Number(value);
  };
}
