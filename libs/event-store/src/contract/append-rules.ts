/**
 * Append semantics every adapter shares: what an acceptable append looks like, when an
 * expectation holds, and when a failed append is really the retry of one already stored.
 * Kept beside the contract suite because together they define the port's behaviour.
 */
import { randomFillSync } from 'node:crypto';
import { DuplicateEventIdError, InvalidAppendError } from '../errors';
import type { AppendResult, EventMetadata, EventToAppend, ExpectedRevision, JsonObject } from '../types';

/**
 * Most events one append may carry. PostgreSQL positions keep the event's index within its
 * append in 16 bits, and every adapter applies the same cap so callers see one rule.
 */
export const MAX_EVENTS_PER_APPEND = 65_535;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An event ready to store: id decided, metadata present. */
export interface PreparedEvent {
  id: string;
  type: string;
  data: JsonObject;
  metadata: EventMetadata;
  tenant: string;
}

export interface PreparedAppend {
  events: PreparedEvent[];
  /** True when the caller chose every id, so a failed append may be a retry of a stored one. */
  idsSupplied: boolean;
  /** True when the caller chose at least one id, so some may be stored already. */
  someIdsSupplied: boolean;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates an append and fills in generated ids; throws InvalidAppendError. */
export function prepareAppend(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): PreparedAppend {
  if (typeof stream !== 'string' || stream.length === 0) throw new InvalidAppendError('Stream name must be a non-empty string');
  if (stream.includes('\u0000')) throw new InvalidAppendError('Stream name must not contain U+0000');
  if (!isValidExpectation(expected)) throw new InvalidAppendError(`Invalid expected revision: ${String(expected)}`);
  if (!Array.isArray(events) || events.length === 0) throw new InvalidAppendError('An append needs at least one event');
  if (events.length > MAX_EVENTS_PER_APPEND) {
    throw new InvalidAppendError(`An append carries at most ${MAX_EVENTS_PER_APPEND} events, got ${events.length}`);
  }
  let idsSupplied = true;
  let someIdsSupplied = false;
  const seen = new Set<string>();
  const prepared = events.map((event, index): PreparedEvent => {
    if (typeof event.type !== 'string' || event.type.length === 0) throw new InvalidAppendError(`Event #${index} has no type`);
    if (typeof event.tenant !== 'string') throw new InvalidAppendError(`Event #${index} has no tenant`);
    if (event.type.includes('\u0000') || event.tenant.includes('\u0000')) throw new InvalidAppendError(`Event #${index} type or tenant contains U+0000`);
    if (!isPlainObject(event.data)) throw new InvalidAppendError(`Event #${index} data must be a JSON object`);
    if (event.metadata !== undefined && !isPlainObject(event.metadata)) {
      throw new InvalidAppendError(`Event #${index} metadata must be a JSON object`);
    }
    let id: string;
    if (event.id === undefined) {
      idsSupplied = false;
      id = timeOrderedUuid();
    } else {
      someIdsSupplied = true;
      if (typeof event.id !== 'string' || !UUID.test(event.id)) throw new InvalidAppendError(`Event #${index} id is not a UUID: ${String(event.id)}`);
      id = event.id.toLowerCase();
    }
    if (seen.has(id)) throw new InvalidAppendError(`Event id ${id} appears twice in one append`);
    seen.add(id);
    return { id, type: event.type, data: event.data, metadata: event.metadata ?? {}, tenant: event.tenant };
  });
  return { events: prepared, idsSupplied, someIdsSupplied };
}

// An escaped U+0000 preceded by an even number of backslashes (so not a literal "\\u0000" text).
const ESCAPED_NUL = /(?:^|[^\\])(?:\\\\)*\\u0000/;

/**
 * Refuses JSON (as serialised for storage) whose strings contain U+0000: PostgreSQL text
 * cannot hold it, and every adapter applies the same rule so callers see one behaviour.
 */
export function assertNoNulCharacter(json: string): void {
  if (json.includes('\\u0000') && ESCAPED_NUL.test(json)) throw new InvalidAppendError('Event data and metadata strings must not contain U+0000');
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const uuidBytes = new Uint8Array(16);
// Random bytes are drawn in bulk: one syscall per 16-byte id cost more than the rest of an append.
const randomPool = new Uint8Array(16 * 1024);
let randomOffset = randomPool.length;

/**
 * A version-7 UUID (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids made in
 * the same period sort together, so the unique index on ids takes appends at its right edge
 * instead of touching a random page per event (which dominated batched append cost).
 */
export function timeOrderedUuid(now = Date.now()): string {
  if (randomOffset + 16 > randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  uuidBytes.set(randomPool.subarray(randomOffset, randomOffset + 16));
  randomOffset += 16;
  let time = now;
  for (let index = 5; index >= 0; index -= 1) {
    uuidBytes[index] = time % 256;
    time = Math.floor(time / 256);
  }
  uuidBytes[6] = 0x70 | (uuidBytes[6] & 0x0f);
  uuidBytes[8] = 0x80 | (uuidBytes[8] & 0x3f);
  const h = (index: number) => HEX[uuidBytes[index]];
  return `${h(0)}${h(1)}${h(2)}${h(3)}-${h(4)}${h(5)}-${h(6)}${h(7)}-${h(8)}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
}

function isValidExpectation(expected: ExpectedRevision): boolean {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return true;
  return typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0;
}

/** Whether a stream whose last revision is `current` (undefined: no stream) meets `expected`. */
export function expectationHolds(expected: ExpectedRevision, current: number | undefined): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return current === undefined;
    case 'stream_exists':
      return current !== undefined;
    default:
      return current === expected;
  }
}

/** What the store holds under one of the append's ids. */
export interface StoredIdentity {
  id: string;
  stream: string;
  revision: number;
  position: number;
  createdAt: Date;
}

/**
 * Decides whether an append whose ids already exist was stored before exactly as asked: the
 * same ids, in the same order, in this stream at consecutive revisions, written by one
 * append, and consistent with the expectation. Returns that append's original result, or
 * undefined when none of the ids is stored. Throws DuplicateEventIdError when some ids are
 * stored in any other way.
 */
export function matchEarlierAppend(
  stream: string,
  expected: ExpectedRevision,
  ids: readonly string[],
  stored: readonly StoredIdentity[],
): AppendResult | undefined {
  if (stored.length === 0) return undefined;
  const byId = new Map(stored.map((row) => [row.id.toLowerCase(), row]));
  const rows: StoredIdentity[] = [];
  for (const id of ids) {
    const row = byId.get(id);
    if (!row) throw new DuplicateEventIdError(stored[0].id.toLowerCase(), stream);
    rows.push(row);
  }
  const first = rows[0];
  const offending = rows.find(
    (row, index) =>
      row.stream !== stream ||
      row.revision !== first.revision + index ||
      row.createdAt.getTime() !== first.createdAt.getTime() ||
      (index > 0 && row.position <= rows[index - 1].position),
  );
  const firstRevisionFits =
    expected === 'no_stream' ? first.revision === 0 : expected === 'stream_exists' ? first.revision > 0 : typeof expected === 'number' ? first.revision === expected + 1 : true;
  if (offending || !firstRevisionFits) throw new DuplicateEventIdError((offending ?? first).id.toLowerCase(), stream);
  const last = rows[rows.length - 1];
  return { nextExpectedRevision: last.revision, position: last.position, createdAt: last.createdAt };
}
