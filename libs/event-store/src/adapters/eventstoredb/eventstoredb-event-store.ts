import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  StreamNotFoundError,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type AppendResult as ClientAppendResult,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { assertNoNulCharacter, prepareAppend, type PreparedEvent } from '../../contract/append-rules';
import { eventMatches, normalizeFilter, type NormalizedFilter } from '../../contract/filter-rules';
import { planImport, prepareImport, type ImportState, type PreparedImportEvent, type StoredPlace } from '../../contract/import-rules';
import { DuplicateEventIdError, EventStoreUnavailableError, ImportOutOfOrderError, WrongExpectedRevisionError } from '../../errors';
import type {
  AppendOptions,
  AppendResult,
  EventImporter,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ImportedEvent,
  ImportResult,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  StoredEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
} from '../../types';
import { EsdbConnection } from './connection';
import { GrpcEsdbClient, type EsdbClientFactory, type EsdbReadAllOptions, type LiveFeed } from './esdb-client';
import { hasPosition, toEventData, toStoredEvent, type PositionedRecordedEvent } from './event-mapping';
import { eventPosition, isAfterEvent, logPositionOf, positionAfter, readStartFor, type LogPosition } from './positions';
import { eventTypesFilter, viewFilter, type ServerFilter } from './server-filter';
import { ResubscribingSubscription, type EventFeed, type RetryPolicy } from './resubscribing-subscription';
import { translateError } from './translate-error';
import { withTimeout } from './with-timeout';

export interface EventStoreDbEventStoreOptions {
  /** `esdb://host:2113?tls=false`, `esdb+discover://...`: see EventStoreDB's connection strings. */
  connectionString: string;
  /**
   * Prepended to every stream name; the store then sees only streams under it. Lets several
   * services (or test runs) share one server. Default none: every non-system stream.
   */
  streamPrefix?: string;
  /** Limit for calls until the server has answered once on the current connection. Default 5 s. */
  connectTimeoutMs?: number;
  /** Limit for every other call. Default 10 s. */
  callTimeoutMs?: number;
  /** Waits between resubscriptions after a drop. Default 100 ms doubling to 5 s. */
  subscriptionRetry?: RetryPolicy;
  /** Told about subscription drops (the subscription resubscribes by itself). */
  onSubscriptionDrop?: (error: unknown, retryInMs: number) => void;
  /** Builds the client; replaced in tests. */
  createClient?: EsdbClientFactory;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_CALL_TIMEOUT_MS = 10_000;
const DEFAULT_PAGE_SIZE = 1000;
/** Reads filtered on our side look at most this many events (or 4 pages) per call, so a page stays cheap. */
const MIN_FILTER_SCAN_WINDOW = 4096;

/**
 * Event store on EventStoreDB: one stream per aggregate (the caller's stream names, under an
 * optional prefix), `$all` as the global log. Positions are derived from `$all` positions (see
 * positions.ts), the tenant and the caller's metadata travel in the event metadata (see
 * event-mapping.ts), and every call runs under this adapter's own time limit (see
 * connection.ts).
 *
 * Differences from the SQL adapters, all from EventStoreDB's design:
 * - Event ids are checked within a stream, not across streams: the server recognises the
 *   retry of an append (same ids, same stream) and answers with the original result, and this
 *   adapter refuses a conflicting append whose ids sit in the stream already
 *   (DuplicateEventIdError), but an id reused in another stream is stored again.
 * - Idempotence of `any`/`stream_exists` retries relies on the server's cache of recent ids.
 * - The server stamps each event as it writes it, so the events of one append can differ in
 *   `createdAt` when the write straddles a millisecond; the append result has the last one's.
 * - Imports: the server's `created` is always the time of the import; the original time is
 *   kept in the event's metadata envelope and reported as `createdAt`. A batch is written as one
 *   append per run of consecutive events of one stream, so it is atomic per run only (see
 *   importEvents).
 */
export class EventStoreDbEventStore implements EventStore, EventImporter {
  readonly kind = 'eventstoredb';
  private readonly connection: EsdbConnection;
  private readonly subscriptions = new Set<ResubscribingSubscription>();
  private readonly retry: RetryPolicy;
  private readonly streamPrefix: string;
  private readonly view: ServerFilter;
  private closed = false;

  constructor(private readonly options: EventStoreDbEventStoreOptions) {
    this.connection = new EsdbConnection(options.connectionString, options.createClient ?? ((cs) => new GrpcEsdbClient(cs)), {
      connectMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      callMs: options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
    });
    this.retry = options.subscriptionRetry ?? { minDelayMs: 100, maxDelayMs: 5_000 };
    this.streamPrefix = options.streamPrefix ?? '';
    if (this.streamPrefix.startsWith('$')) throw new Error('The EventStoreDB stream prefix must not start with "$" (reserved for system streams)');
    this.view = viewFilter(this.streamPrefix);
  }

  /**
   * EventStoreDB needs no schema. Builds the client (a bad connection string fails here) but
   * does not wait for the server: the service may start before it, and readiness (`ping`)
   * tells when it is reachable.
   */
  async init(): Promise<void> {
    this.connection.open();
  }

  async append(stream: string, events: readonly EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    const expected = options.expectedRevision;
    const prepared = prepareAppend(stream, events, expected);
    // EventStoreDB would store U+0000; the other stores cannot, and all refuse it alike.
    for (const event of prepared.events) {
      assertNoNulCharacter(JSON.stringify(event.data));
      assertNoNulCharacter(JSON.stringify(event.metadata));
    }
    const data = prepared.events.map((event) => toEventData(event));
    const context = { operation: `append to "${stream}"`, stream, expected };
    let appended: ClientAppendResult;
    try {
      appended = await this.connection.run(context, (client) =>
        client.appendToStream(this.serverStream(stream), data, toClientExpectation(expected), this.connection.currentLimitMs),
      );
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError && prepared.idsSupplied) await this.rejectReusedIds(stream, error, prepared.events);
      throw error;
    }
    // Only these expectations let the server accept a retry without checking the ids' order.
    const verifyIds = prepared.idsSupplied && (expected === 'any' || expected === 'stream_exists');
    return this.appendResult(stream, appended, prepared.events, verifyIds);
  }

  /**
   * The batch is checked against the streams first (their last revisions and the events stored
   * at the batch's revisions), so an out-of-order batch is refused before anything is written.
   * EventStoreDB writes one stream atomically, not several: the batch goes out as one append per
   * run of consecutive events of one stream, in order, each expecting the revision before it.
   * Only a writer that races the import on the same streams can make a later run fail after
   * earlier ones were stored; running the import again then skips what was stored. As with
   * appends, ids are checked within the batch's streams only.
   */
  async importEvents(batch: readonly ImportedEvent[]): Promise<ImportResult> {
    const prepared = prepareImport(batch);
    if (prepared.length === 0) return { imported: 0, alreadyStored: 0 };
    const toStore = planImport(prepared, await this.importState(prepared));
    for (const run of streamRuns(toStore)) {
      const first = run[0];
      const expected: ExpectedRevision = first.revision === 0 ? 'no_stream' : first.revision - 1;
      try {
        await this.connection.run({ operation: `import into "${first.stream}"`, stream: first.stream, expected }, (client) =>
          client.appendToStream(
            this.serverStream(first.stream),
            run.map((event) => toEventData(event, event.createdAt)),
            toClientExpectation(expected),
            this.connection.currentLimitMs,
          ),
        );
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        throw new ImportOutOfOrderError(first.id, first.stream, first.revision, error.actual === 'no_stream' ? 0 : error.actual + 1);
      }
    }
    return { imported: toStore.length, alreadyStored: prepared.length - toStore.length };
  }

  /** What planImport needs to know, read per stream of the batch. */
  private async importState(prepared: readonly PreparedImportEvent[]): Promise<ImportState> {
    const spans = new Map<string, { from: number; to: number }>();
    for (const event of prepared) {
      const span = spans.get(event.stream);
      if (span) {
        span.from = Math.min(span.from, event.revision);
        span.to = Math.max(span.to, event.revision);
      } else spans.set(event.stream, { from: event.revision, to: event.revision });
    }
    const storedIds = new Map<string, StoredPlace>();
    const lastRevisions = new Map<string, number | undefined>();
    for (const [stream, span] of spans) {
      const [last] = await this.readStream(stream, { direction: 'backwards', maxCount: 1 });
      lastRevisions.set(stream, last?.revision);
      if (last === undefined || last.revision < span.from) continue;
      for (const stored of await this.readStream(stream, { fromRevision: span.from, maxCount: span.to - span.from + 1 })) {
        storedIds.set(stored.id.toLowerCase(), { stream, revision: stored.revision });
      }
    }
    return { storedIds, lastRevisions };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const backwards = options.direction === 'backwards';
    const maxCount = options.maxCount !== undefined && options.maxCount >= 0 ? Math.floor(options.maxCount) : undefined;
    if (maxCount === 0) return [];
    const fromRevision = options.fromRevision;
    if (backwards && fromRevision !== undefined && fromRevision < 0) return [];
    const from = fromRevision === undefined || fromRevision < 0 ? (backwards ? 'end' : 'start') : BigInt(Math.floor(fromRevision));
    const resolved = await this.connection.run({ operation: `read stream "${stream}"`, stream }, async (client, signal) => {
      try {
        return await client.readStream(this.serverStream(stream), { from, direction: backwards ? 'backwards' : 'forwards', maxCount }, signal);
      } catch (error) {
        if (error instanceof StreamNotFoundError) return [];
        throw error;
      }
    });
    return resolved.map((event) => this.toStored(event));
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    const maxCount = Math.max(1, Math.floor(options.maxCount ?? DEFAULT_PAGE_SIZE));
    const fromPosition = Math.max(0, Math.floor(options.fromPosition ?? 0));
    const filter = normalizeFilter(options.filter);
    const server = this.serverFilter(filter);
    // When the server filters types, the events it skips are never seen here; the view's last
    // event, taken before the read, tells how far a read that reaches the end has scanned.
    const lastInView = server === this.view ? undefined : await this.lastInView();
    const filteredHere = filter.tenant !== undefined || (server === this.view && !filter.matchesAll);
    const scanLimit = filteredHere ? Math.max(maxCount * 4, MIN_FILTER_SCAN_WINDOW) : Infinity;

    const events: StoredEvent[] = [];
    let cursor = fromPosition;
    let scanned = 0;
    for (;;) {
      const start = readStartFor(cursor);
      // One more than needed tells whether the log goes on; one more again for the event an
      // "after" position re-reads and drops.
      const wanted = maxCount - events.length + 1 + (isAfterEvent(cursor) ? 1 : 0);
      const page = await this.readAllPage({ from: start.from, direction: 'forwards', maxCount: wanted, filter: server });
      for (const event of page) {
        if (event.position < start.dropBelow) continue;
        if (events.length === maxCount) return { events, nextPosition: cursor, isEnd: false };
        cursor = positionAfter(event.position);
        scanned += 1;
        if (eventMatches(filter, event)) events.push(event);
      }
      if (page.length < wanted) {
        const nextPosition = lastInView === undefined ? cursor : Math.max(cursor, positionAfter(lastInView));
        return { events, nextPosition, isEnd: true };
      }
      if (scanned >= scanLimit) return { events, nextPosition: cursor, isEnd: false };
    }
  }

  async headPosition(): Promise<number> {
    return (await this.lastInView()) ?? 0;
  }

  subscribe(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    if (this.closed) throw new EventStoreUnavailableError('The EventStoreDB event store is closed');
    const filter = normalizeFilter(options.filter);
    const server = this.serverFilter(filter);
    const batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_PAGE_SIZE));
    const subscription = new ResubscribingSubscription((from, signal) => this.openFeed(from, server, batchSize, signal), handler, {
      fromPosition: Math.max(0, Math.floor(options.fromPosition ?? 0)),
      batchSize,
      accept: (event) => eventMatches(filter, event),
      retry: this.retry,
      isRetryable: (error) => error instanceof EventStoreUnavailableError,
      onDrop: this.options.onSubscriptionDrop,
      onStopped: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Reads the newest entry of `$all` (system events included): a cheap round trip. */
  async ping(): Promise<void> {
    await this.lastLogEntry('end');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await this.connection.close();
  }

  /**
   * The append answer has no timestamp: the appended events are read back for the server's
   * `created` (for a recognised retry these are the original events, so the result matches
   * the first one). With `verifyIds`, the ids are also checked against what the server reports
   * as stored: it answers an `any`/`stream_exists` append whose ids it knows as a retry even
   * when they are in another order.
   */
  private async appendResult(stream: string, appended: ClientAppendResult, events: readonly PreparedEvent[], verifyIds: boolean): Promise<AppendResult> {
    const last = Number(appended.nextExpectedRevision);
    const count = verifyIds ? events.length : 1;
    const stored = await this.readStream(stream, { fromRevision: last - count + 1, maxCount: count });
    if (verifyIds) {
      const mismatch = events.find((event, index) => stored[index]?.id.toLowerCase() !== event.id);
      if (mismatch) throw new DuplicateEventIdError(mismatch.id, stream);
    }
    const lastStored = stored[stored.length - 1];
    if (!lastStored && !appended.position) throw new Error(`EventStoreDB stored the append to "${stream}" but it cannot be read back`);
    return {
      nextExpectedRevision: last,
      position: lastStored?.position ?? eventPosition(appended.position as LogPosition),
      createdAt: lastStored?.createdAt ?? new Date(),
    };
  }

  /**
   * After a revision conflict on an append whose ids the caller chose: EventStoreDB reports
   * the reuse of stored ids for a different append as a conflict; tell the two apart.
   */
  private async rejectReusedIds(stream: string, conflict: WrongExpectedRevisionError, events: readonly PreparedEvent[]): Promise<void> {
    const expected = conflict.expected;
    if (expected === 'any' || (expected === 'stream_exists' && conflict.actual !== 'no_stream')) {
      // With these expectations the server only refuses when the first id is stored and a later one differs.
      throw new DuplicateEventIdError(events[0].id, stream);
    }
    if (expected !== 'no_stream' && typeof expected !== 'number') return;
    const firstRevision = expected === 'no_stream' ? 0 : expected + 1;
    const stored = await this.readStream(stream, { fromRevision: firstRevision, maxCount: events.length });
    const ids = new Set(events.map((event) => event.id));
    const reused = stored.find((event) => ids.has(event.id.toLowerCase()));
    if (reused) throw new DuplicateEventIdError(reused.id.toLowerCase(), stream);
  }

  /**
   * Opens a live `$all` subscription delivering the events with position >= `fromPosition`.
   * EventStoreDB subscriptions start after an event, so "from X inclusive" starts after the
   * log entry just before X (see positions.ts).
   */
  private async openFeed(fromPosition: number, filter: ServerFilter, bufferSize: number, signal: AbortSignal): Promise<EventFeed> {
    const after = await this.subscriptionStart(fromPosition);
    const client = this.connection.client();
    const live = client.subscribeToAll({ after, filter, bufferSize });
    const limitMs = this.connection.currentLimitMs;
    const abandon = (): void => void live.close().catch(() => undefined);
    signal.addEventListener('abort', abandon, { once: true });
    try {
      await withTimeout(
        live.confirmed,
        limitMs,
        () => new EventStoreUnavailableError(`EventStoreDB did not confirm the $all subscription within ${limitMs} ms`),
        abandon,
      );
    } catch (error) {
      const translated = translateError(error, { operation: 'subscribe to $all' });
      if (translated instanceof EventStoreUnavailableError) this.connection.retireClient(client);
      throw translated;
    } finally {
      signal.removeEventListener('abort', abandon);
    }
    this.connection.markAnswered(client);
    const toStored = (event: AllStreamResolvedEvent): StoredEvent => this.toStored(event);
    return {
      events: storedEvents(live, toStored),
      get buffered() {
        return live.buffered;
      },
      close: () => live.close(),
    };
  }

  private async subscriptionStart(fromPosition: number): Promise<LogPosition | 'start'> {
    // No event lives at offset 0 (the log starts with its own header), so "after offset 0",
    // which is `headPosition() + 1` of an empty log, is the start: asked to start after it,
    // the server would skip the first event it finds.
    if (fromPosition <= 1) return 'start';
    if (isAfterEvent(fromPosition)) return logPositionOf(fromPosition);
    const previous = await this.lastLogEntry(logPositionOf(fromPosition));
    return previous === undefined ? 'start' : logPositionOf(previous);
  }

  /** Position of the view's newest event, if any. */
  private async lastInView(): Promise<number | undefined> {
    const [last] = await this.readAllPage({ from: 'end', direction: 'backwards', maxCount: 1, filter: this.view });
    return last?.position;
  }

  /** Position of the last `$all` entry before `before` (any event, system ones included), if any. */
  private async lastLogEntry(before: LogPosition | 'end'): Promise<number | undefined> {
    const [last] = await this.readAllPage({ from: before, direction: 'backwards', maxCount: 1 });
    return last?.position;
  }

  private async readAllPage(options: EsdbReadAllOptions): Promise<StoredEvent[]> {
    const resolved = await this.connection.run({ operation: 'read $all' }, (client, signal) => client.readAll(options, signal));
    return resolved.map((event) => this.toStored(event));
  }

  /**
   * What the server filters for a read: the types when it can (the server takes one filter,
   * so under a stream prefix the view's stream filter wins and types are checked here).
   */
  private serverFilter(filter: NormalizedFilter): ServerFilter {
    return (this.streamPrefix === '' ? eventTypesFilter(filter) : undefined) ?? this.view;
  }

  private serverStream(stream: string): string {
    return this.streamPrefix + stream;
  }

  /** Maps a read event; fails loudly on a server too old to report stream events' positions. */
  private toStored(resolved: ResolvedEvent | AllStreamResolvedEvent): StoredEvent {
    const recorded = resolved.event;
    if (!recorded) throw new Error('EventStoreDB returned an unresolved link event');
    const positioned: PositionedRecordedEvent | undefined = hasPosition(recorded)
      ? recorded
      : resolved.commitPosition !== undefined
        ? { ...recorded, position: { commit: resolved.commitPosition, prepare: resolved.commitPosition } }
        : undefined;
    if (!positioned) throw new Error('EventStoreDB did not report the event position: version 22.6 or later is required');
    const stored = toStoredEvent(positioned);
    if (this.streamPrefix !== '' && stored.stream.startsWith(this.streamPrefix)) stored.stream = stored.stream.slice(this.streamPrefix.length);
    return stored;
  }
}

/** Runs of consecutive events of one stream, in order: what one EventStoreDB append can write. */
function streamRuns<E extends { stream: string }>(events: readonly E[]): E[][] {
  const runs: E[][] = [];
  for (const event of events) {
    const run = runs[runs.length - 1];
    if (run && run[0].stream === event.stream) run.push(event);
    else runs.push([event]);
  }
  return runs;
}

function toClientExpectation(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}

async function* storedEvents(live: LiveFeed, toStored: (event: AllStreamResolvedEvent) => StoredEvent): AsyncGenerator<StoredEvent> {
  try {
    for await (const resolved of live.events) yield toStored(resolved);
  } catch (error) {
    throw translateError(error, { operation: 'subscription to $all' });
  }
}
