import { ApiError, invalidArgument } from '../common/errors/api-error';
import { currentRequestContext, readAfterPosition } from '../observability/request/request-context';

/**
 * Header (HTTP) and metadata key (gRPC, Connect) of the consistency token: every answer to a
 * write carries it, and a read that sends it back sees that write, on any replica.
 */
export const CONSISTENCY_TOKEN_HEADER = 'x-consistency-token';

/** The largest position a token may name (JavaScript integers are exact up to here). */
const MAX_POSITION = Number.MAX_SAFE_INTEGER;

export const ConsistencyErrors = {
  malformed: (): ApiError =>
    invalidArgument('QUERY-9tmzva5b9s', `${CONSISTENCY_TOKEN_HEADER} must be the value of the ${CONSISTENCY_TOKEN_HEADER} header of a write's answer`),
};

/** The token of a position: its decimal digits (clients should treat it as opaque). */
export function formatConsistencyToken(position: number): string {
  return String(position);
}

/** The position a token names; undefined without a token; ApiError code 3 when malformed. */
export function parseConsistencyToken(value: string | readonly string[] | null | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  // Several tokens (several writes, or a header repeated by a proxy): the newest one covers the others.
  const tokens = (typeof value === 'string' ? value.split(',') : value.flatMap((entry) => entry.split(','))).map((token) => token.trim());
  let newest = 0;
  for (const token of tokens) {
    const position = /^\d{1,16}$/.test(token) ? Number(token) : NaN;
    if (!Number.isSafeInteger(position) || position > MAX_POSITION) throw ConsistencyErrors.malformed();
    newest = Math.max(newest, position);
  }
  return newest;
}

/**
 * What both transports do around a call: before it, a token the caller sent makes the call's
 * reads wait for its position; after it, the token of the call's newest append (undefined when
 * it appended nothing) for the answer.
 */
export function acceptConsistencyToken(value: string | readonly string[] | null | undefined): void {
  const position = parseConsistencyToken(value);
  if (position !== undefined) readAfterPosition(position);
}

export function answeredConsistencyToken(): string | undefined {
  const position = currentRequestContext()?.appendedPosition;
  return position === undefined ? undefined : formatConsistencyToken(position);
}
