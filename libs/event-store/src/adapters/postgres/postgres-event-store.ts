import { Pool, types as pgTypes, type ClientBase, type ClientConfig, type CustomTypesConfig, type PoolConfig, type QueryResultRow } from 'pg';
import { assertNoNulCharacter, matchEarlierAppend, prepareAppend, type PreparedAppend } from '../../contract/append-rules';
import { planImport, prepareImport, type PreparedImportEvent } from '../../contract/import-rules';
import { normalizeFilter } from '../../contract/filter-rules';
import { EventStoreUnavailableError, WrongExpectedRevisionError } from '../../errors';
import { ChangeSignal } from '../../subscription/change-signal';
import { LiveSubscription, type FeedPage } from '../../subscription/live-subscription';
import { SharedTail } from '../../subscription/shared-tail';
import type {
  AppendOptions,
  AppendResult,
  EventFilter,
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
import { AppendGroups, type QueuedAppend } from './append-groups';
import { PgListener } from './pg-listener';
import { channelFor, CoalescedNotifier } from './postgres-notify';
import { isConnectionFailure, isUniqueViolation, toStoreError } from './postgres-errors';
import { buildSql, EXPECTATION_MODE, isHorizonApplicationName, prefixPattern, type PostgresSql } from './postgres-sql';

export interface PostgresEventStoreOptions {
  /** Connection string, or node-postgres pool settings. */
  connection: string | PoolConfig;
  /** Schema holding the store's tables (created by init()). Default `public`. */
  schema?: string;
  /** Shown in pg_stat_activity; lets operators (and tests) find the store's connections. */
  applicationName?: string;
  /**
   * application_name values of sessions in the same database that never append to this store
   * (e.g. the read model's pool). Their writing transactions then do not hold readers back;
   * every other session's do, so only list names whose sessions really never append.
   */
  nonAppendingApplications?: readonly string[];
  /** Pool size for appends and reads (the LISTEN connection comes on top). Default 10. */
  poolSize?: number;
  /**
   * Group commits (statements carrying the appends made meanwhile) in flight at once. More
   * overlap round trips; fewer make larger groups and fewer WAL flushes. Default 2.
   */
  appendGroupsInFlight?: number;
  /** Longest delay before other processes hear of an append. Default 5 ms. */
  notifyIntervalMs?: number;
  /** How soon a subscription reads again when committed events wait behind an open transaction. Default 75 ms. */
  heldBackRecheckMs?: number;
  /** Safety-net read interval of an idle subscription that heard nothing. Default 5 s. */
  idleRecheckMs?: number;
  /** Told about background failures that the store recovers from (lost connections, failed notifications). */
  onError?: (error: unknown, context: string) => void;
}

const DEFAULT_PAGE_SIZE = 1000;
/** Streams one latest-event statement names at most; a larger turn sends several. */
const MAX_STREAMS_PER_READ = 500;
const MIN_FILTER_SCAN_WINDOW = 4096;
/** How often an `any`/`stream_exists` append retries after losing a revision race. */
const MAX_RACE_RETRIES = 20;

const INT8_OID = 20;
const parseInt8 = (value: string): number => Number(value);
// Per-pool parsers: bigint columns (positions, revisions) come back as numbers without
// touching node-postgres' global parsers, which other code in the process relies on.
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pgTypes.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
};

interface EventRow extends QueryResultRow {
  position: number;
  id: string;
  stream: string;
  type: string;
  revision: number;
  data: StoredEvent['data'];
  metadata: StoredEvent['metadata'];
  tenant: string;
  created_ms: number;
}

interface AppendGroupRow extends QueryResultRow {
  n: number;
  current: number | null;
  ids_taken: boolean;
  stored: boolean;
  base: number;
  created_ms: number;
}

interface AppendRow extends QueryResultRow {
  current: number | null;
  position: number | null;
  created_ms: number;
}

/**
 * Event store in PostgreSQL (node-postgres pool).
 *
 * Global order and gap safety come from transaction ids (see postgres-sql.ts): positions
 * are unique and increase in read order but are not dense. Consequence: a long-running
 * transaction that has written anything in the same database holds readers (readAll,
 * headPosition, subscriptions) back until it ends: they wait, they never skip.
 *
 * Appends are one autocommit statement each. Live tailing: subscribers in this process are
 * woken right after an append commits; other processes hear of appends through a coalesced
 * pg_notify sent on a separate connection, received on one LISTEN connection per store.
 */
export class PostgresEventStore implements EventStore, EventImporter {
  readonly kind = 'postgres';
  readonly schema: string;
  private readonly pool: Pool;
  private readonly notifyPool: Pool;
  private readonly sql: PostgresSql;
  private readonly changes = new ChangeSignal();
  private readonly subscriptions = new Set<LiveSubscription>();
  /** Latest-event reads waiting for this turn's statement, by stream. */
  private latestReads = new Map<string, { resolve(events: StoredEvent[]): void; reject(error: unknown): void }[]>();
  /** The log's end, read once for all subscriptions after an append. */
  private readonly tail = new SharedTail({ readPage: (from, max, filter) => this.readLivePage(from, max, filter), changes: this.changes });
  private readonly listener: PgListener;
  private readonly notifier: CoalescedNotifier;
  private readonly groups = new AppendGroups();
  private readonly maxGroupsInFlight: number;
  private readonly groupsSending = new Set<Promise<void>>();
  private groupsInFlight = 0;
  private groupsScheduled = false;
  private closed = false;

  constructor(private readonly options: PostgresEventStoreOptions) {
    this.schema = options.schema ?? 'public';
    this.maxGroupsInFlight = Math.max(1, Math.floor(options.appendGroupsInFlight ?? 2));
    const base: PoolConfig = typeof options.connection === 'string' ? { connectionString: options.connection } : { ...options.connection };
    const applicationName = options.applicationName ?? base.application_name ?? 'event-store';
    // Notifications go out on a session of their own that never appends: a NOTIFY takes a
    // transaction id, and on the appending pool it would hold every reader back meanwhile.
    const notifyApplicationName = notifySessionName(applicationName);
    this.sql = buildSql(this.schema, {
      nonAppendingApplications: [...(options.nonAppendingApplications ?? []), ...(notifyApplicationName ? [notifyApplicationName] : [])],
    });
    const clientConfig: ClientConfig = {
      connectionTimeoutMillis: 5_000,
      ...base,
      application_name: applicationName,
      options: [base.options, STORE_SESSION_SETTINGS].filter(Boolean).join(' '),
      types: typeParsers,
    };
    this.pool = new Pool({ max: options.poolSize ?? 10, ...clientConfig });
    // An idle client that loses its connection emits here; without a listener the process would crash.
    this.pool.on('error', (error) => this.report(error, 'idle pool connection'));
    const channel = channelFor(this.schema);
    this.notifyPool = new Pool({ ...clientConfig, max: 1, application_name: notifyApplicationName ?? applicationName });
    this.notifyPool.on('error', (error) => this.report(error, 'idle notify connection'));
    this.notifier = new CoalescedNotifier(this.notifyPool, channel, options.notifyIntervalMs ?? 5, (error) => this.report(error, 'notify'));
    this.listener = new PgListener({
      clientConfig,
      channel,
      onWake: () => this.changes.notify(),
      onError: (error) => this.report(error, 'listen connection'),
    });
  }

  async init(): Promise<void> {
    const client = await this.connect();
    try {
      await client.query('BEGIN');
      // Serialises concurrent init() calls: CREATE ... IF NOT EXISTS is not race-free.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.sql.initLockKey]);
      for (const statement of this.sql.schema) await client.query(statement);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw toStoreError(error);
    } finally {
      client.release();
    }
  }

  /**
   * Queues the append for the next group commit (see sendGroup) and settles it with its own
   * outcome once that group's statement has committed.
   */
  async append(stream: string, events: readonly EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    const expected = options.expectedRevision;
    const prepared = prepareAppend(stream, events, expected);
    const eventsJson = JSON.stringify(prepared.events);
    assertNoNulCharacter(eventsJson);
    if (this.closed) throw new EventStoreUnavailableError('The PostgreSQL event store is closed');
    return new Promise<AppendResult>((resolve, reject) => {
      this.groups.add({ stream, prepared, expected, eventsJson, resolve, reject });
      this.startGroups();
    });
  }

  /** Sends queued groups while fewer than the allowed number are in flight. */
  private startGroups(): void {
    if (this.groupsScheduled) return;
    this.groupsScheduled = true;
    // Appends made in the same turn of the event loop join one group.
    queueMicrotask(() => {
      this.groupsScheduled = false;
      while (this.groupsInFlight < this.maxGroupsInFlight) {
        const group = this.groups.take();
        if (!group) return;
        this.groupsInFlight += 1;
        const sending = this.sendGroup(group).finally(() => {
          this.groupsInFlight -= 1;
          this.groupsSending.delete(sending);
          this.startGroups();
        });
        this.groupsSending.add(sending);
      }
    });
  }

  /**
   * Group commit: the group's appends go to the server as one autocommit statement (one round
   * trip, one WAL flush), each checked on its own; none is acknowledged before it commits.
   * Should the statement fail as a whole (a writer in another process took one of its
   * revisions or ids in between, or one append is unstorable), nothing of it was stored and
   * each append is tried alone, so only the one at fault fails. A lost connection leaves the
   * outcome unknown: every append of the group fails as unavailable, to be retried with the
   * same ids.
   */
  private async sendGroup(group: readonly QueuedAppend[]): Promise<void> {
    if (group.length === 1) {
      // Alone, an append takes the single-append statement, which costs the server less.
      const [append] = group;
      await this.appendAlone(append.stream, append.prepared, append.expected).then(append.resolve, append.reject);
      return;
    }
    let rows: AppendGroupRow[];
    try {
      rows = (await this.pool.query<AppendGroupRow>({ ...this.sql.appendGroup, values: [appendGroupJson(group)] })).rows;
    } catch (error) {
      if (isConnectionFailure(error)) {
        const failure = toStoreError(error);
        for (const append of group) append.reject(failure);
        return;
      }
      await Promise.all(group.map((append) => this.appendAlone(append.stream, append.prepared, append.expected).then(append.resolve, append.reject)));
      return;
    }
    const byPlace = new Map(rows.map((row) => [row.n, row]));
    const stored = group.filter((_, index) => byPlace.get(index + 1)?.stored);
    if (stored.length > 0) this.announceAppended(stored.flatMap((append) => tenantsOf(append.prepared)));
    await Promise.all(
      group.map(async (append, index) => {
        const row = byPlace.get(index + 1)!;
        const count = append.prepared.events.length;
        try {
          if (row.stored) {
            append.resolve({ nextExpectedRevision: (row.current ?? -1) + count, position: row.base + append.first + count - 1, createdAt: new Date(row.created_ms) });
          } else if (row.ids_taken) {
            // Its ids are stored: the retry of an earlier append (its original result), or refused.
            append.resolve((await this.findEarlierAppend(append.stream, append.expected, append.prepared)) ?? (await this.appendAlone(append.stream, append.prepared, append.expected)));
          } else {
            append.reject(new WrongExpectedRevisionError(append.stream, append.expected, row.current ?? 'no_stream'));
          }
        } catch (error) {
          append.reject(error);
        }
      }),
    );
  }

  /** One append in a statement of its own: a group of one, or each append of a group that failed as a whole. */
  private async appendAlone(stream: string, prepared: PreparedAppend, expected: ExpectedRevision): Promise<AppendResult> {
    const values = appendValues(stream, prepared, expected);
    for (let attempt = 1; ; attempt += 1) {
      let row: AppendRow;
      try {
        [row] = await this.query<AppendRow>(this.sql.append, values);
      } catch (error) {
        if (!isUniqueViolation(error)) throw toStoreError(error);
        if (prepared.someIdsSupplied) {
          const earlier = await this.findEarlierAppend(stream, expected, prepared);
          if (earlier) return earlier;
        }
        // Another writer took the revision first; for these modes the append is still valid.
        if ((expected === 'any' || expected === 'stream_exists') && attempt < MAX_RACE_RETRIES) continue;
        const [{ current }] = await this.query<{ current: number | null }>(this.sql.lastRevision, [stream]);
        throw new WrongExpectedRevisionError(stream, expected, current ?? 'no_stream');
      }
      if (row.position !== null) {
        this.announceAppended(tenantsOf(prepared));
        return { nextExpectedRevision: (row.current ?? -1) + prepared.events.length, position: row.position, createdAt: new Date(row.created_ms) };
      }
      if (prepared.someIdsSupplied) {
        const earlier = await this.findEarlierAppend(stream, expected, prepared);
        if (earlier) return earlier;
      }
      throw new WrongExpectedRevisionError(stream, expected, row.current ?? 'no_stream');
    }
  }

  /**
   * Checks the batch against what is stored (two reads), then inserts the events still missing
   * in one autocommit statement. A writer that takes one of the batch's revisions or ids in
   * between makes the insert fail whole; the batch is then checked again, which refuses it
   * (or finds it stored, when that writer was the same import).
   */
  async importEvents(batch: readonly ImportedEvent[]): Promise<ImportResult> {
    const prepared = prepareImport(batch);
    if (prepared.length === 0) return { imported: 0, alreadyStored: 0 };
    for (let attempt = 1; ; attempt += 1) {
      const toStore = await this.eventsToImport(prepared);
      if (toStore.length === 0) return { imported: 0, alreadyStored: prepared.length };
      try {
        await this.query(this.sql.importInsert, [importBatchJson(toStore)]);
      } catch (error) {
        if (isUniqueViolation(error) && attempt < MAX_RACE_RETRIES) continue;
        throw error;
      }
      this.announceAppended();
      return { imported: toStore.length, alreadyStored: prepared.length - toStore.length };
    }
  }

  private async eventsToImport(prepared: readonly PreparedImportEvent[]): Promise<PreparedImportEvent[]> {
    const streams = [...new Set(prepared.map((event) => event.stream))];
    const [stored, last] = await Promise.all([
      this.query<{ id: string; stream: string; revision: number }>(this.sql.importStoredIds, [prepared.map((event) => event.id)]),
      this.query<{ stream: string; last: number | null }>(this.sql.importLastRevisions, [streams]),
    ]);
    return planImport(prepared, {
      storedIds: new Map(stored.map((row) => [row.id, { stream: row.stream, revision: row.revision }])),
      lastRevisions: new Map(last.map((row) => [row.stream, row.last ?? undefined])),
    });
  }

  /**
   * Appends on the caller's client, inside the caller's open transaction, so events commit
   * together with the caller's other writes. Nothing is retried here: a conflict aborts the
   * caller's transaction. After committing, call announceAppended() to wake subscribers.
   */
  async appendInTransaction(client: ClientBase, stream: string, events: readonly EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    const expected = options.expectedRevision;
    const prepared = prepareAppend(stream, events, expected);
    let row: AppendRow;
    try {
      [row] = (await client.query<AppendRow>({ ...this.sql.append, values: appendValues(stream, prepared, expected), types: typeParsers })).rows;
    } catch (error) {
      throw toStoreError(error);
    }
    if (row.position === null) throw new WrongExpectedRevisionError(stream, expected, row.current ?? 'no_stream');
    return { nextExpectedRevision: (row.current ?? -1) + prepared.events.length, position: row.position, createdAt: new Date(row.created_ms) };
  }

  /**
   * Wakes subscribers here (those of `tenants` when given, every one otherwise) and, shortly,
   * in other processes (every one: the notification names no tenant).
   */
  announceAppended(tenants?: Iterable<string>): void {
    this.changes.notify(tenants);
    this.notifier.appended();
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    if (options.direction === 'backwards' && options.maxCount === 1 && options.fromRevision === undefined) return this.readLatest(stream);
    const limit = options.maxCount ?? null;
    const rows =
      options.direction === 'backwards'
        ? await this.query<EventRow>(this.sql.readStreamBackwards, [stream, options.fromRevision ?? Number.MAX_SAFE_INTEGER, limit])
        : await this.query<EventRow>(this.sql.readStreamForwards, [stream, options.fromRevision ?? 0, limit]);
    return rows.map(toStoredEvent);
  }

  /**
   * The latest event of `stream`. Such reads (every aggregate load, every existence check) are
   * gathered over one turn of the event loop and sent as one statement: under load, the
   * commands served in a turn then cost the server one round trip instead of one each.
   */
  private readLatest(stream: string): Promise<StoredEvent[]> {
    if (this.closed) return Promise.reject(new EventStoreUnavailableError('The PostgreSQL event store is closed'));
    return new Promise<StoredEvent[]>((resolve, reject) => {
      const waiting = this.latestReads.get(stream);
      if (waiting) waiting.push({ resolve, reject });
      else this.latestReads.set(stream, [{ resolve, reject }]);
      if (this.latestReads.size === 1 && !waiting) setImmediate(this.sendLatestReads);
    });
  }

  private readonly sendLatestReads = (): void => {
    const batch = this.latestReads;
    this.latestReads = new Map();
    const streams = [...batch.keys()];
    for (let start = 0; start < streams.length; start += MAX_STREAMS_PER_READ) {
      const chunk = streams.slice(start, start + MAX_STREAMS_PER_READ);
      this.query<EventRow>(this.sql.readLatestOfStreams, [chunk]).then(
        (rows) => {
          const latest = new Map(rows.map((row) => [row.stream, row]));
          for (const stream of chunk) {
            const row = latest.get(stream);
            for (const waiter of batch.get(stream)!) waiter.resolve(row ? [toStoredEvent(row)] : []);
          }
        },
        (error: unknown) => {
          for (const stream of chunk) for (const waiter of batch.get(stream)!) waiter.reject(error);
        },
      );
    }
  };

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    return this.readPage(options.fromPosition ?? 0, options.maxCount ?? DEFAULT_PAGE_SIZE, options.filter);
  }

  async headPosition(): Promise<number> {
    const [{ head }] = await this.query<{ head: number }>(this.sql.headPosition, []);
    return head;
  }

  subscribe(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    if (this.closed) throw new Error('The PostgreSQL event store is closed');
    const subscription = new LiveSubscription({ changes: this.changes, readPage: this.tail.readPage }, handler, {
      fromPosition: options.fromPosition ?? 0,
      batchSize: options.batchSize ?? DEFAULT_PAGE_SIZE,
      filter: options.filter,
      idleRecheckMs: this.options.idleRecheckMs ?? 5_000,
      onTransientError: (error) => this.report(error, 'subscription read'),
      onStopped: () => {
        this.subscriptions.delete(subscription);
        if (this.subscriptions.size === 0) void this.listener.stop();
      },
    });
    this.subscriptions.add(subscription);
    this.listener.start();
    return subscription;
  }

  async ping(): Promise<void> {
    await this.query({ name: undefined, text: 'SELECT 1' }, []);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Appends already accepted are sent (and settled) before the pool ends.
    while (this.groups.size > 0 || this.groupsSending.size > 0 || this.groupsScheduled) {
      await Promise.all(this.groupsSending);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await this.listener.stop();
    await this.notifier.close();
    await Promise.all([this.pool.end(), this.notifyPool.end()]);
  }

  private async readPage(fromPosition: number, maxCount: number, filter: EventFilter | undefined): Promise<ReadAllResult> {
    return (await this.readPageOf(fromPosition, maxCount, filter, false)).page;
  }

  /**
   * A page for a subscription: at the end, also tells whether events wait behind the read
   * horizon, learnt by the page's own statement (one round trip between an append and its
   * delivery, not two).
   */
  private async readLivePage(fromPosition: number, maxCount: number, filter: EventFilter | undefined): Promise<FeedPage> {
    const { page, held } = await this.readPageOf(fromPosition, maxCount, filter, true);
    return page.isEnd && held ? { ...page, recheckAfterMs: this.options.heldBackRecheckMs ?? 75 } : page;
  }

  private async readPageOf(fromPosition: number, maxCount: number, filter: EventFilter | undefined, live: boolean): Promise<{ page: ReadAllResult; held: boolean }> {
    const from = Math.max(0, Math.floor(fromPosition));
    const max = Math.max(1, Math.floor(maxCount));
    const normalized = normalizeFilter(filter);
    if (normalized.matchesAll) {
      let held = false;
      let rows: EventRow[];
      if (live) {
        const answer = await this.query<EventRow & { held: boolean }>(this.sql.readAllLive, [from, max + 1]);
        held = answer[0].held;
        rows = answer[0].position === null ? [] : answer;
      } else {
        rows = await this.query<EventRow>(this.sql.readAll, [from, max + 1]);
      }
      const isEnd = rows.length <= max;
      if (!isEnd) rows.length = max;
      const nextPosition = rows.length > 0 ? rows[rows.length - 1].position + 1 : from;
      return { page: { events: rows.map(toStoredEvent), nextPosition, isEnd }, held };
    }
    const window = Math.max(max * 4, MIN_FILTER_SCAN_WINDOW);
    const rows = await this.query<EventRow & { window_last: number | null; window_size: number; held: boolean }>(live ? this.sql.readFilteredLive : this.sql.readFiltered, [
      from,
      normalized.tenant ?? null,
      normalized.types.length > 0 ? normalized.types : null,
      normalized.typePrefixes.length > 0 ? normalized.typePrefixes.map(prefixPattern) : null,
      window,
      max + 1,
    ]);
    const { window_last: windowLast, window_size: windowSize, held } = rows[0];
    if (windowLast === null) return { page: { events: [], nextPosition: from, isEnd: true }, held };
    const matched = rows[0].position === null ? [] : rows;
    if (matched.length > max) {
      matched.length = max;
      return { page: { events: matched.map(toStoredEvent), nextPosition: matched[max - 1].position + 1, isEnd: false }, held };
    }
    return { page: { events: matched.map(toStoredEvent), nextPosition: windowLast + 1, isEnd: windowSize < window }, held };
  }

  private async findEarlierAppend(stream: string, expected: ExpectedRevision, prepared: PreparedAppend): Promise<AppendResult | undefined> {
    const ids = prepared.events.map((event) => event.id);
    const rows = await this.query<{ id: string; stream: string; revision: number; position: number; created_ms: number }>(this.sql.findIds, [ids]);
    return matchEarlierAppend(
      stream,
      expected,
      ids,
      rows.map((row) => ({ ...row, createdAt: new Date(row.created_ms) })),
    );
  }

  private async query<R extends QueryResultRow>(statement: { name: string | undefined; text: string }, values: unknown[]): Promise<R[]> {
    try {
      return (await this.pool.query<R>({ name: statement.name, text: statement.text, values })).rows;
    } catch (error) {
      // After a server restart the pool may still hand out connections that died while idle.
      // Reads are safe to repeat once on a fresh connection; appends are never repeated here
      // (their outcome is unknown; callers retry with the same event ids).
      if (statement.name !== this.sql.append.name && isConnectionFailure(error) && !this.closed) {
        try {
          return (await this.pool.query<R>({ name: statement.name, text: statement.text, values })).rows;
        } catch (retryError) {
          throw toStoreError(retryError);
        }
      }
      throw toStoreError(error);
    }
  }

  private async connect() {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw toStoreError(error);
    }
  }

  private report(error: unknown, context: string): void {
    this.options.onError?.(error, context);
  }
}

/**
 * Planner settings of the store's sessions. Every statement of the store is an index walk in
 * key order. Before the first ANALYZE of a freshly filled table, the planner's default
 * estimates choose a bitmap scan plus sort that reads the whole table for each page (77 ms
 * instead of 0.8 ms per 1,000 events). No JIT: the planner's guesses for json_to_recordset
 * make the group-commit statement look costly enough to compile, which takes seconds for a
 * statement that runs in a millisecond.
 */
export const STORE_SESSION_SETTINGS = '-c enable_sort=off -c enable_bitmapscan=off -c jit=off';

/** application_name of the store's notifying session, or undefined when `name` cannot carry a suffix the read horizon may name. */
export function notifySessionName(name: string): string | undefined {
  const candidate = `${name}:notify`;
  return isHorizonApplicationName(candidate) ? candidate : undefined;
}

/** The group as the group-commit statement reads it; each append's events go in as serialised. */
function appendGroupJson(group: readonly QueuedAppend[]): string {
  const rows = group.map((append) => {
    const expected = append.expected;
    const mode = typeof expected === 'number' ? EXPECTATION_MODE.revision : EXPECTATION_MODE[expected];
    return `{"stream":${JSON.stringify(append.stream)},"mode":${mode},"expected":${typeof expected === 'number' ? expected : 'null'},"check_ids":${append.prepared.someIdsSupplied},"first":${append.first},"events":${append.eventsJson}}`;
  });
  return `[${rows.join(',')}]`;
}

function appendValues(stream: string, prepared: PreparedAppend, expected: ExpectedRevision): unknown[] {
  const mode = typeof expected === 'number' ? EXPECTATION_MODE.revision : EXPECTATION_MODE[expected];
  const batch = JSON.stringify(prepared.events);
  assertNoNulCharacter(batch);
  return [stream, batch, mode, typeof expected === 'number' ? expected : null];
}

/** The batch as the insert reads it; data and metadata go in as serialised, not re-encoded. */
function importBatchJson(events: readonly PreparedImportEvent[]): string {
  const rows = events.map(
    (event) =>
      `{"id":"${event.id}","stream":${JSON.stringify(event.stream)},"revision":${event.revision},"type":${JSON.stringify(event.type)},` +
      `"data":${event.dataJson},"metadata":${event.metadataJson},"tenant":${JSON.stringify(event.tenant)},"created_at":"${event.createdAt.toISOString()}"}`,
  );
  return `[${rows.join(',')}]`;
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    stream: row.stream,
    type: row.type,
    revision: row.revision,
    position: row.position,
    data: row.data,
    metadata: row.metadata,
    tenant: row.tenant,
    createdAt: new Date(row.created_ms),
  };
}

/** The tenants whose events an append holds. */
function tenantsOf(prepared: PreparedAppend): string[] {
  return [...new Set(prepared.events.map((event) => event.tenant))];
}
