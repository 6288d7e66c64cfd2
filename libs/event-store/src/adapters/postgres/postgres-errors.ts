import { EventStoreUnavailableError } from '../../errors';

/** SQLSTATE classes and codes that mean "the database cannot serve us right now". */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-4]|58)/;
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
// node-postgres reports lost connections and pool timeouts with plain Errors.
const UNAVAILABLE_MESSAGES = /connection terminated|connection error|not queryable|timeout exceeded when trying to connect|connection is closed|cannot use a pool after calling end|client was closed/i;

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof EventStoreUnavailableError) return true;
  const code = errorCode(error);
  if (code && (UNAVAILABLE_NODE_CODES.has(code) || (code.length === 5 && UNAVAILABLE_SQLSTATE.test(code)))) return true;
  if (error instanceof AggregateError) return error.errors.some(isConnectionFailure);
  return error instanceof Error && UNAVAILABLE_MESSAGES.test(error.message);
}

/** Turns connection-level failures into EventStoreUnavailableError; anything else passes through. */
export function toStoreError(error: unknown): unknown {
  if (error instanceof EventStoreUnavailableError || !isConnectionFailure(error)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new EventStoreUnavailableError(`PostgreSQL event store unavailable: ${detail}`, { cause: error });
}

export function isUniqueViolation(error: unknown): error is Error & { constraint?: string } {
  return errorCode(error) === '23505';
}
