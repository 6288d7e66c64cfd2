/**
 * Single-number positions for EventStoreDB's `$all`.
 *
 * EventStoreDB names a place in `$all` by `{commit, prepare}`, two byte offsets into its
 * transaction log. What the server does with them (EventStoreDB source, `AllReader`,
 * `StorageChaser`, `Enumerator.AllSubscription*`):
 *
 * - Every event written by a gRPC append is its own implicitly committed log record, and `$all`
 *   reports it at `{commit: P, prepare: P}` where P is the record's offset. The events of one
 *   multi-event append therefore have different positions (they do not share a commit position;
 *   only the legacy TCP API's explicit transactions did, and this service never writes those).
 *   An append's result carries the position of its last event.
 * - The server can only start a read at a record boundary. A position inside a record fails
 *   ("invalid position"), so a checkpoint cannot simply be resumed as `P + 1`.
 * - Forward reads include the event at the start position. Catch-up subscriptions start after
 *   it: the server reads one event at or after the position and continues behind that event,
 *   so only an event's own position is a safe subscription start.
 *
 * The port wants one number that is unique, increases in `$all` order, and resumes with
 * `checkpoint + 1`. This adapter uses `2P` for the event at offset P:
 * - an even number `2X` means "from log offset X, inclusive" (X is an event's offset, or 0);
 * - an odd number `2P + 1` means "just after the event at offset P".
 * Both decode to the record boundary `X` or `P`, which the server accepts; an odd start drops
 * the event at P client-side. Doubling keeps the number exact for logs below 4 PiB
 * (`Number.MAX_SAFE_INTEGER / 2` bytes).
 */

/** `$all` position as the client library represents it. */
export interface LogPosition {
  commit: bigint;
  prepare: bigint;
}

/** Where a forward read of `$all` starts on the server, and which of its events to drop. */
export interface ReadStart {
  /** `start` for the beginning of the log. */
  from: LogPosition | 'start';
  /** Events with a port position below this were already seen: skip them. */
  dropBelow: number;
}

const MAX_LOG_OFFSET = BigInt(Math.floor(Number.MAX_SAFE_INTEGER / 2));

/** The port position of the event stored at this `$all` position. */
export function eventPosition(position: LogPosition): number {
  // Implicitly committed events have commit === prepare; the prepare offset is the record's own,
  // so it stays unique even for records that share a commit.
  const offset = position.prepare;
  if (offset < 0n || offset > MAX_LOG_OFFSET) {
    throw new RangeError(`EventStoreDB log position ${offset} cannot be represented as a port position`);
  }
  return Number(offset) * 2;
}

/** The position just after an event (what a reader passes to continue behind it). */
export function positionAfter(eventPos: number): number {
  return eventPos + 1;
}

/** The log offset a port position refers to, as a position the server accepts. */
export function logPositionOf(portPosition: number): LogPosition {
  const offset = BigInt(Math.floor(normalize(portPosition) / 2));
  return { commit: offset, prepare: offset };
}

/** True when the port position means "after the event at its offset". */
export function isAfterEvent(portPosition: number): boolean {
  return normalize(portPosition) % 2 === 1;
}

/** Where to start a forward read that returns the events with position >= `fromPosition`. */
export function readStartFor(fromPosition: number): ReadStart {
  const from = normalize(fromPosition);
  return { from: from === 0 ? 'start' : logPositionOf(from), dropBelow: from };
}

function normalize(portPosition: number): number {
  return Number.isFinite(portPosition) && portPosition > 0 ? Math.floor(portPosition) : 0;
}
