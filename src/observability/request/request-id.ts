import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * A caller's id is kept when it is short and plain (what proxies and tracing tools send), so
 * logs of both sides can be joined; anything else could forge log lines or bloat every event,
 * and is replaced by a fresh UUID.
 */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:/+=@-]{1,128}$/;

/** The request id to use for a request that carried `header` (the raw x-request-id value). */
export function requestIdFrom(header: string | string[] | undefined): string {
  const candidate = Array.isArray(header) ? header[0] : header;
  return candidate !== undefined && ACCEPTABLE_REQUEST_ID.test(candidate) ? candidate : randomUUID();
}
