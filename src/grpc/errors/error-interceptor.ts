import { ConnectError, type Interceptor } from '@connectrpc/connect';
import { ApiError, StatusCode } from '../../common/errors/api-error';
import { noteAnsweredErrorId } from '../../observability/request/request-context';
import { apiErrorToConnectError } from './to-connect-error';

/** Classifies an error that is not an ApiError (store unavailable, lost race, bug...). */
export type ToApiError = (error: unknown) => ApiError;

/**
 * Outermost interceptor: whatever the auth check or a handler throws leaves as a ConnectError
 * carrying the API error's code, message and ErrorDetail. Errors that are the server's fault
 * are reported to `logFailure`, since the client only sees a generic message.
 */
export function errorInterceptor(toApiError: ToApiError, logFailure: (error: unknown, rpc: string) => void = () => undefined): Interceptor {
  return (next) => async (request) => {
    try {
      return await next(request);
    } catch (error) {
      if (error instanceof ConnectError) throw error;
      const apiError = error instanceof ApiError ? error : toApiError(error);
      if (SERVER_FAULTS.has(apiError.code)) logFailure(error, `${request.service.typeName}/${request.method.name}`);
      noteAnsweredErrorId(apiError.id);
      throw apiErrorToConnectError(apiError);
    }
  };
}

const SERVER_FAULTS: ReadonlySet<StatusCode> = new Set([StatusCode.Internal, StatusCode.Unknown, StatusCode.Unavailable]);
