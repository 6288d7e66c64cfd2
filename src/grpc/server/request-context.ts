import type * as http2 from 'node:http2';
import { runWithRequestContext } from '../../observability/request/request-context';
import { REQUEST_ID_HEADER, requestIdFrom } from '../../observability/request/request-id';

type Http2Handler = (request: http2.Http2ServerRequest, response: http2.Http2ServerResponse) => void;

/**
 * Gives every call on the h2c port a request id, as the HTTP port's middleware does for the
 * calls it serves (h2c calls never pass through Express): the caller's `x-request-id` metadata
 * when acceptable, else a new UUID, echoed in the response headers (gRPC: the initial response
 * metadata) and used as the correlation and causation id of the events the call appends.
 */
export function withRequestContext(handler: Http2Handler): Http2Handler {
  return (request, response) => {
    const requestId = requestIdFrom(request.headers[REQUEST_ID_HEADER]);
    response.setHeader(REQUEST_ID_HEADER, requestId);
    runWithRequestContext({ correlationId: requestId, causationId: requestId }, () => handler(request, response));
  };
}
