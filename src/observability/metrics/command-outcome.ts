import { ConcurrencyConflictError } from '@app/eventsourcing';
import { ApiError, StatusCode } from '../../common/errors/api-error';
import { isStoreUnavailable } from '../../common/errors/unavailability';

/** `ok`, or the kind of failure as a gRPC code name in snake case (`not_found`, `unavailable`...). */
export function commandOutcome(error?: unknown): string {
  if (error === undefined) return 'ok';
  if (error instanceof ApiError) return snakeCase(StatusCode[error.code] ?? 'Unknown');
  if (error instanceof ConcurrencyConflictError) return 'aborted';
  if (isStoreUnavailable(error)) return 'unavailable';
  return 'internal';
}

const snakeCase = (name: string): string => name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
