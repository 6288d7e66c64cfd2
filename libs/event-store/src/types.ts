/**
 * The event-store port: the only surface the rest of the product sees of event storage.
 * Adapters (sqlite, postgres, eventstoredb) implement {@link EventStore} with identical
 * semantics, proven by the shared contract suite.
 */

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * What the caller expects of the stream before appending:
 * - `any`: no check;
 * - `no_stream`: the stream must not exist yet;
 * - `stream_exists`: the stream must have at least one event;
 * - a number: the revision of the stream's last event (0-based).
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

/** Metadata stored with every event; adapters keep unknown keys as they are. */
export interface EventMetadata {
  correlationId?: string;
  causationId?: string;
  /** Who caused the event (the caller's subject). */
  actor?: string;
  [key: string]: JsonValue | undefined;
}

export interface EventToAppend<TData extends JsonObject = JsonObject> {
  /** UUID; generated when absent. Supplying it makes retries idempotent. */
  id?: string;
  type: string;
  data: TData;
  metadata?: EventMetadata;
  /** The instance (tenant) the event belongs to. */
  tenant: string;
}

export interface StoredEvent<TData extends JsonObject = JsonObject> {
  id: string;
  stream: string;
  type: string;
  /** 0-based position of the event in its stream. */
  revision: number;
  /**
   * Position in the global log. Strictly increasing in global read order, unique, but not
   * necessarily dense (adapters may leave holes). Safe as a JS number for any realistic log.
   */
  position: number;
  data: TData;
  metadata: EventMetadata;
  tenant: string;
  /**
   * Set by the store's clock when the event was appended; an imported event keeps the time it
   * had in the store it was exported from (see {@link EventImporter}).
   */
  createdAt: Date;
}

export interface AppendOptions {
  expectedRevision: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the last event appended: pass it as expectedRevision for the next append. */
  nextExpectedRevision: number;
  /** Global position of the last event appended. */
  position: number;
  /** Store timestamp of the appended events (all events of one append share it). */
  createdAt: Date;
}

export type ReadDirection = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  /** Inclusive. Default: 0 forwards, the last revision backwards. */
  fromRevision?: number;
  direction?: ReadDirection;
  maxCount?: number;
}

export interface EventFilter {
  /** Exact event types; an event matches when its type is one of them. */
  types?: readonly string[];
  /** Event-type prefixes (`target.` matches `target.added`). */
  typePrefixes?: readonly string[];
  /** Only events of this instance. */
  tenant?: string;
}

export interface ReadAllOptions {
  /**
   * Inclusive lower bound: events with position >= fromPosition. To continue after a
   * checkpoint `p`, pass `p + 1`. Default 0 (the beginning).
   */
  fromPosition?: number;
  maxCount?: number;
  filter?: EventFilter;
}

export interface ReadAllResult {
  events: StoredEvent[];
  /**
   * Where the next read should start (`fromPosition` for the next call). It can move past the
   * last returned event when filtered-out events were scanned, so filtered readers do not rescan.
   */
  nextPosition: number;
  /** True when the read reached the current (safely readable) end of the log. */
  isEnd: boolean;
}

export interface SubscribeOptions {
  /** Inclusive, as in {@link ReadAllOptions.fromPosition}. */
  fromPosition?: number;
  filter?: EventFilter;
  /** Events per catch-up page; default chosen by the adapter. */
  batchSize?: number;
}

/**
 * Receives events in global order. A subscription awaits the returned promise before
 * delivering the next batch; if it rejects, the subscription stops with that error.
 */
export type SubscriptionHandler = (events: StoredEvent[]) => Promise<void> | void;

export interface Subscription {
  /** Position after the last event delivered to the handler (the resume point). */
  readonly position: number;
  /** Resolves when the subscription has stopped (closed or failed). Rejects on failure. */
  readonly done: Promise<void>;
  close(): Promise<void>;
}

export interface EventStore {
  /** Short name of the adapter (`sqlite`, `postgres`, ...), for logs and health. */
  readonly kind: string;
  /** Creates the storage schema when missing. Idempotent. */
  init(): Promise<void>;
  append(stream: string, events: readonly EventToAppend[], options: AppendOptions): Promise<AppendResult>;
  readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  readAll(options?: ReadAllOptions): Promise<ReadAllResult>;
  /** Position of the newest safely readable event, or 0 for an empty log. */
  headPosition(): Promise<number>;
  subscribe(options: SubscribeOptions, handler: SubscriptionHandler): Subscription;
  /** Cheap round trip used by readiness checks; rejects when the store is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * An event exported from a store, to be imported into another one: a stored event without its
 * position (each store numbers its own log).
 */
export type ImportedEvent<TData extends JsonObject = JsonObject> = Omit<StoredEvent<TData>, 'position'>;

export interface ImportResult {
  /** Events of the batch stored by this call. */
  imported: number;
  /** Events of the batch found already stored as given (same id, stream and revision), left as they were. */
  alreadyStored: number;
}

/**
 * Imports a log exported from another store (or an earlier version of this one), keeping what
 * an append would decide itself: ids, revisions and `createdAt`. For moving a log between
 * stores, not for the service's own writes, which must append (and so be checked against the
 * aggregate's expected revision and stamped by the store's clock).
 */
export interface EventImporter {
  /**
   * Stores `batch` in the given order, after every event already in the log (so global order is
   * the batch's order), with the given ids, streams, revisions, data, metadata, tenants and
   * createdAt. Each event must be exactly the next event of its stream (revision 0 for a new
   * stream, counting the batch's own earlier events); otherwise the batch is refused with
   * ImportOutOfOrderError and nothing of it is stored. An event already stored with the same
   * id, stream and revision is left as it is, so an interrupted import can simply be run again;
   * an id stored anywhere else refuses the batch with DuplicateEventIdError. Invalid events
   * (bad id, non-object data, invalid date...) and batches of more than MAX_EVENTS_PER_APPEND
   * events are refused with InvalidAppendError. Subscribers see the events like appended ones.
   */
  importEvents(batch: readonly ImportedEvent[]): Promise<ImportResult>;
}
