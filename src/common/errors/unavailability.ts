import { EventStoreUnavailableError } from '@app/event-store';

/** Driver error codes that mean "the database cannot be reached right now", not "bad query". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE',
  // PostgreSQL: admin/crash shutdown, cannot connect now, too many connections
  '57P01', '57P02', '57P03', '53300',
  // SQLite: locked beyond the busy timeout, file cannot be opened or read
  'SQLITE_BUSY', 'SQLITE_CANTOPEN', 'SQLITE_IOERR', 'SQLITE_FULL',
]);
const UNAVAILABLE_NAMES = new Set(['EventStoreUnavailableError', 'ProjectionWaitTimeoutError', 'CannotExecuteNotConnectedError', 'ConnectionIsNotSetError']);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection is closed|The database connection is not open|timeout exceeded when trying to connect|Driver not Connected|Cannot use a pool after calling end/i;

/**
 * True when the error (or one of its causes) says a store — the event store or the read-model
 * database — is unreachable, so the client should retry later (503) rather than see a 500.
 */
export function isStoreUnavailable(error: unknown): boolean {
  // Duck-typed rather than `instanceof Error`: socket and driver errors can come from another
  // realm (a VM context, a worker), where they are errors that fail `instanceof`.
  let current: unknown = error;
  for (let depth = 0; typeof current === 'object' && current !== null && depth < 8; depth += 1) {
    const candidate = current as { name?: unknown; code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    if (current instanceof EventStoreUnavailableError || (typeof candidate.name === 'string' && UNAVAILABLE_NAMES.has(candidate.name))) return true;
    const code = candidate.code;
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08') || code.startsWith('SQLITE_IOERR'))) return true;
    if (typeof candidate.message === 'string' && UNAVAILABLE_MESSAGES.test(candidate.message)) return true;
    current = candidate.driverError ?? candidate.cause;
  }
  return false;
}
