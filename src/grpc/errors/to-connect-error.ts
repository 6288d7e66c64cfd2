import { Code, ConnectError } from '@connectrpc/connect';
import { RateLimitedError } from '../../auth/tenant-rate-limiter';
import type { ApiError } from '../../common/errors/api-error';
import { ErrorDetailSchema } from '../gen/zitadel/v1/error_detail_pb';

/**
 * The gRPC form of an API error: the same status code and message as the HTTP body, and a
 * `zitadel.v1.ErrorDetail` {id, message} in the status details (`grpc-status-details-bin` for
 * gRPC and gRPC-web, the `details` array for Connect).
 */
export function apiErrorToConnectError(error: ApiError): ConnectError {
  // StatusCode numbers are google.rpc.Code's, as are Connect's Code numbers.
  const code = error.code as number as Code;
  const detail = { desc: ErrorDetailSchema, value: { id: error.id, message: error.detailMessage } };
  // A refusal for rate says when to come back, as the HTTP answer's Retry-After does.
  const metadata = error instanceof RateLimitedError ? new Headers({ 'retry-after': String(error.retryAfterSeconds) }) : undefined;
  return new ConnectError(error.message, code, metadata, [detail], error);
}
