import { isUtf8 } from 'node:buffer';
import type { ApiError } from '../../common/errors/api-error';
import { invalidRequest, malformedJson } from '../../common/errors/http-error-ids';
import { atPath } from './field-path';
import { hasBadText, TEXT_RULE } from './text-rules';

/** Largest request body or message any transport accepts, in bytes. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** No request of the API nests anywhere near this deep; much deeper input only costs stack. */
export const MAX_JSON_DEPTH = 64;

/** How deep arrays and objects nest in JSON text (brackets inside strings do not count). */
export function jsonNestingDepth(body: Uint8Array): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < body.length; index += 1) {
    const byte = body[index];
    if (inString) {
      if (byte === 0x5c) index += 1; // backslash: skip the escaped character
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) deepest = Math.max(deepest, (depth += 1));
    else if (byte === 0x5d || byte === 0x7d) depth -= 1;
  }
  return deepest;
}

/**
 * A `\uXXXX` escape of a surrogate (an odd number of backslashes before it, so `\\ud800` is
 * plain text). Valid UTF-8 holds no surrogates, so only escapes can smuggle one in.
 */
const SURROGATE_ESCAPE = /(?<=(?:^|[^\\])(?:\\\\)*)\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;

/**
 * The rules of JSON text every transport applies before decoding a request body or a JSON
 * message (REST, Connect and gRPC-web JSON alike): UTF-8 only (a lenient decoder would store
 * bad bytes as U+FFFD), nesting bounded by {@link MAX_JSON_DEPTH} (deep input only costs
 * stack), and no unpaired surrogate in any string (refused as the text rules refuse it, naming
 * the field). Returns the refusal, or undefined for acceptable text.
 */
export function jsonTextProblem(body: Uint8Array, text?: string): ApiError | undefined {
  if (!isUtf8(body)) return malformedJson('Request body is not valid UTF-8: send JSON encoded as UTF-8');
  if (jsonNestingDepth(body) > MAX_JSON_DEPTH) return malformedJson(`Request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  const decoded = text ?? Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (!SURROGATE_ESCAPE.test(decoded)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(decoded);
  } catch {
    return undefined; // the decoder refuses it as malformed JSON
  }
  const path = badTextPath(json, '');
  return path === undefined ? undefined : invalidRequest(atPath(path || 'body', TEXT_RULE));
}

/** The JSON path of the first key or string breaking the text rules. */
function badTextPath(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return hasBadText(value) ? path : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const itemPath = path ? `${path}.${key}` : key;
    if (hasBadText(key)) return itemPath;
    const bad = badTextPath(item, itemPath);
    if (bad !== undefined) return bad;
  }
  return undefined;
}
