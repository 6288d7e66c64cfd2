import { ApiError, StatusCode, failedPrecondition, permissionDenied } from '../../common/errors/api-error';

/** ZITADEL's error ids for runs, so hosts and clients that match on them keep working. */
export const RuntimeErrors = {
  /** A restCall answered `{forwardedStatusCode: 403, forwardedErrorMessage}`. */
  forwardedForbidden: (message: string): ApiError => permissionDenied('EXEC-reUaUZCzCp', message),
  /** A restCall answered another forwarded 4xx. */
  forwardedError: (message: string): ApiError => failedPrecondition('EXEC-bmhNhpcqpF', message),
  /** A target with interruptOnError failed (non-2xx, timeout, refused, non-JSON restCall answer). */
  targetFailed: (targetId: string): ApiError => new ApiError(StatusCode.FailedPrecondition, 'EXEC-dra6yamk98', `Target ${targetId} failed; the execution was interrupted`),
};
