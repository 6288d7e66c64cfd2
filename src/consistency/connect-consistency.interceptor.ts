import type { Interceptor } from '@connectrpc/connect';
import { acceptConsistencyToken, answeredConsistencyToken, CONSISTENCY_TOKEN_HEADER } from './consistency-token';

/**
 * The consistency token on every RPC (gRPC, gRPC-web, Connect): read from the request
 * metadata, answered in the response metadata. Sits inside the error interceptor, which turns
 * a malformed token's ApiError into the RPC's error.
 */
export const consistencyInterceptor: Interceptor = (next) => async (request) => {
  acceptConsistencyToken(request.header.get(CONSISTENCY_TOKEN_HEADER));
  const response = await next(request);
  const token = answeredConsistencyToken();
  if (token !== undefined) response.header.set(CONSISTENCY_TOKEN_HEADER, token);
  return response;
};
