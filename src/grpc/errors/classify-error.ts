import { ConcurrencyConflictError } from '@app/eventsourcing';
import type { ApiError } from '../../common/errors/api-error';
import { concurrentModification, internalError, storeUnavailable } from '../../common/errors/http-error-ids';
import { isStoreUnavailable } from '../../common/errors/unavailability';

/**
 * The API error for a failure that is not an ApiError, classified as the HTTP exception filter
 * does: a lost concurrency race is Aborted, an unreachable store Unavailable, anything else an
 * Internal error whose details never reach the client.
 */
export function classifyError(error: unknown): ApiError {
  if (error instanceof ConcurrencyConflictError) return concurrentModification(error);
  if (isStoreUnavailable(error)) return storeUnavailable(error);
  return internalError();
}
