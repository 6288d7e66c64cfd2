import { isStoreUnavailable } from '../common/errors/unavailability';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', '57P03']);

/**
 * True when connecting to a database failed because it cannot be reached (rather than because
 * of a mistake in the configuration). Looks at `code` by shape, not by class, so errors made
 * in another realm (node-postgres sockets seen from a test sandbox) are recognised too.
 */
export function isConnectionFailure(error: unknown): boolean {
  if (isStoreUnavailable(error)) return true;
  for (let current: unknown = error, depth = 0; typeof current === 'object' && current !== null && depth < 8; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
