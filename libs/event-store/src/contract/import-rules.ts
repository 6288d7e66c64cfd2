/**
 * Import semantics every adapter shares: what an acceptable imported event looks like, and
 * which events of a batch to store given what the store already holds. Kept beside the
 * contract suite because together they define the port's behaviour.
 */
import { DuplicateEventIdError, ImportOutOfOrderError, InvalidAppendError } from '../errors';
import type { EventImporter, EventStore, ImportedEvent } from '../types';
import { assertNoNulCharacter, MAX_EVENTS_PER_APPEND } from './append-rules';

// Every store can hold these times (PostgreSQL reads no other ISO-8601 years).
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `store` can import events (every adapter of this library can; wrappers may not). */
export function canImportEvents<S extends EventStore>(store: S): store is S & EventImporter {
  return typeof (store as Partial<EventImporter>).importEvents === 'function';
}

/** An imported event checked and ready to store: id in lower case, data and metadata as JSON text. */
export interface PreparedImportEvent extends ImportedEvent {
  /** `data` serialised for storage. */
  dataJson: string;
  /** `metadata` serialised for storage. */
  metadataJson: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates an import batch; throws InvalidAppendError naming the first bad event. */
export function prepareImport(batch: readonly ImportedEvent[]): PreparedImportEvent[] {
  if (!Array.isArray(batch)) throw new InvalidAppendError('An import batch must be an array of events');
  if (batch.length > MAX_EVENTS_PER_APPEND) {
    throw new InvalidAppendError(`An import batch carries at most ${MAX_EVENTS_PER_APPEND} events, got ${batch.length}`);
  }
  const seen = new Set<string>();
  return batch.map((event, index): PreparedImportEvent => {
    const what = `Imported event #${index}`;
    if (typeof event !== 'object' || event === null) throw new InvalidAppendError(`${what} is not an object`);
    if (typeof event.id !== 'string' || !UUID.test(event.id)) throw new InvalidAppendError(`${what} id is not a UUID: ${String(event.id)}`);
    const id = event.id.toLowerCase();
    if (seen.has(id)) throw new InvalidAppendError(`Event id ${id} appears twice in one import batch`);
    seen.add(id);
    if (typeof event.stream !== 'string' || event.stream.length === 0) throw new InvalidAppendError(`${what} has no stream`);
    if (!Number.isSafeInteger(event.revision) || event.revision < 0) throw new InvalidAppendError(`${what} revision must be a non-negative integer`);
    if (typeof event.type !== 'string' || event.type.length === 0) throw new InvalidAppendError(`${what} has no type`);
    if (typeof event.tenant !== 'string') throw new InvalidAppendError(`${what} has no tenant`);
    if (`${event.stream}${event.type}${event.tenant}`.includes('\u0000')) throw new InvalidAppendError(`${what} stream, type or tenant contains U+0000`);
    if (!isPlainObject(event.data)) throw new InvalidAppendError(`${what} data must be a JSON object`);
    if (!isPlainObject(event.metadata)) throw new InvalidAppendError(`${what} metadata must be a JSON object`);
    if (!(event.createdAt instanceof Date) || !(event.createdAt.getTime() >= EARLIEST && event.createdAt.getTime() <= LATEST)) {
      throw new InvalidAppendError(`${what} createdAt must be a valid Date in the years 1-9999`);
    }
    const dataJson = JSON.stringify(event.data);
    const metadataJson = JSON.stringify(event.metadata);
    assertNoNulCharacter(dataJson);
    assertNoNulCharacter(metadataJson);
    return { ...event, id, dataJson, metadataJson };
  });
}

/** Where the store holds an id of the batch. */
export interface StoredPlace {
  stream: string;
  revision: number;
}

export interface ImportState {
  /** Where the batch's ids are stored, for those that are (absent: not stored). */
  storedIds: ReadonlyMap<string, StoredPlace>;
  /** The last revision of each of the batch's streams (absent or undefined: no events). */
  lastRevisions: ReadonlyMap<string, number | undefined>;
}

/**
 * The events of `batch` to store, in order: those already stored as given are left out, the
 * rest must each continue their stream. Throws DuplicateEventIdError for an id stored elsewhere
 * and ImportOutOfOrderError for an event that does not continue its stream.
 */
export function planImport<E extends ImportedEvent>(batch: readonly E[], state: ImportState): E[] {
  const next = new Map<string, number>();
  const toStore: E[] = [];
  for (const event of batch) {
    const stored = state.storedIds.get(event.id);
    if (stored) {
      if (stored.stream === event.stream && stored.revision === event.revision) continue;
      throw new DuplicateEventIdError(event.id, event.stream);
    }
    const expected = next.get(event.stream) ?? (state.lastRevisions.get(event.stream) ?? -1) + 1;
    if (event.revision !== expected) throw new ImportOutOfOrderError(event.id, event.stream, event.revision, expected);
    next.set(event.stream, expected + 1);
    toStore.push(event);
  }
  return toStore;
}
