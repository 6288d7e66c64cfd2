import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { assertNoNulCharacter, expectationHolds, matchEarlierAppend, prepareAppend, type StoredIdentity } from '../../contract/append-rules';
import { planImport, prepareImport, type PreparedImportEvent, type StoredPlace } from '../../contract/import-rules';
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
import { BackgroundCheckpointer } from './background-checkpointer';
import { SCHEMA_SQL, SQL } from './sqlite-schema';

export interface SqliteEventStoreOptions {
  /** Database file; its directory is created when missing. */
  file: string;
  /** How long a write waits for another process holding the write lock. Default 5 s. */
  busyTimeoutMs?: number;
  /**
   * How often subscriptions look for commits made by other processes on the same file
   * (commits in this process wake them at once). Default 250 ms.
   */
  foreignWritePollMs?: number;
  /**
   * WAL checkpoints run in a worker thread this often, never inside an append (see
   * BackgroundCheckpointer). `false`: SQLite checkpoints inside the commit that crosses
   * 10,000 WAL pages instead. Default 100 ms.
   */
  backgroundCheckpointMs?: number | false;
}

const DEFAULT_PAGE_SIZE = 1000;
/**
 * Page cache of the connection that reads the log in position order (KiB). Such a read touches
 * each page once, so a cache only holds the window a filtered read walks twice (its bound, then
 * its rows: at most 4 pages of events) and is recycled from page to page.
 */
const LOG_READ_CACHE_KIB = 4096;
/** Most events one group commit writes; a burst beyond it commits in several transactions. */
const MAX_EVENTS_PER_GROUP = 10_000;
/** Filtered reads look at most this many log entries (or 4 pages) per call, so a page stays cheap. */
const MIN_FILTER_SCAN_WINDOW = 4096;
type RawEventRow = [number, string, string, string, number, string, string, string, number];

/**
 * Event store in one SQLite file (better-sqlite3, synchronous calls kept short).
 *
 * Durability: WAL with `synchronous=NORMAL`. A commit is atomic and survives a crash of the
 * process; after a power loss or OS crash the last few commits may be lost (never torn or
 * reordered). That trade buys an fsync-free commit; the log stays consistent either way.
 *
 * Positions are the table's INTEGER PRIMARY KEY. SQLite has one writer at a time and
 * `BEGIN IMMEDIATE` takes the write lock before positions are handed out, so positions
 * become visible in order and a reader can never skip a late-committing event.
 */
export class SqliteEventStore implements EventStore, EventImporter {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  /**
   * Reads of the log in position order (readAll, subscriptions, rebuilds, counts), apart from
   * `db`: a replay of the whole log would otherwise fill the appends' 64 MiB page cache with
   * pages read once, and evict the index pages appends need. The same connection as `db` for
   * an in-memory store (another connection would open another database).
   */
  private readonly logReader: Database.Database;
  private readonly changes = new ChangeSignal();
  private readonly subscriptions = new Set<LiveSubscription>();
  /** The log's end, read once for all subscriptions after an append. */
  private readonly tail = new SharedTail({ readPage: (from, max, filter) => this.readPage(from, max, filter), changes: this.changes });
  private statements: ReturnType<typeof prepareStatements> | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly checkpointer: BackgroundCheckpointer | undefined;
  private lastDataVersion = 0;
  private closed = false;
  private queuedAppends: QueuedAppend[] = [];
  /** Whether an append committed in this turn of the event loop (later ones then wait for the turn's end). */
  private committedThisTurn = false;
  /**
   * Whether appends after a turn's first wait for the turn's end. Off once a group found
   * nobody to join (one caller appending in a loop would pay a turn per append for nothing).
   */
  private groupFollowers = true;
  private lonePerTurn = 0;

  constructor(private readonly options: SqliteEventStoreOptions) {
    if (options.file !== ':memory:' && options.file !== '') {
      mkdirSync(dirname(options.file), { recursive: true, mode: 0o700 });
      // Readable by the service's user only; SQLite gives the -wal and -shm files the same mode.
      closeSync(openSync(options.file, 'a', 0o600));
    }
    this.db = new Database(options.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // 64 MiB page cache. Without the background checkpointer, checkpoints (which fsync) run every ~40 MiB of WAL.
    this.db.pragma('cache_size = -65536');
    this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5_000))}`);
    this.logReader = this.db.memory ? this.db : openLogReader(options.file, this.db.pragma('busy_timeout', { simple: true }) as number);
    const checkpointMs = options.backgroundCheckpointMs ?? 100;
    if (checkpointMs !== false && !this.db.memory) {
      this.db.pragma('wal_autocheckpoint = 0');
      this.checkpointer = new BackgroundCheckpointer(options.file, checkpointMs);
    } else {
      this.db.pragma('wal_autocheckpoint = 10000');
    }
  }

  async init(): Promise<void> {
    this.guard(() => {
      this.db.exec(SCHEMA_SQL);
      this.statements ??= prepareStatements(this.db, this.logReader);
    });
  }

  /**
   * Queues the append and settles it once the group it joined has committed (see
   * flushAppends). Validation and serialisation happen here, outside the write lock.
   */
  async append(stream: string, events: readonly EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    const expected = options.expectedRevision;
    const prepared = prepareAppend(stream, events, expected);
    this.ready();
    const rows = prepared.events.map((event): SerializedEvent => {
      const data = JSON.stringify(event.data);
      const metadata = JSON.stringify(event.metadata);
      assertNoNulCharacter(data);
      assertNoNulCharacter(metadata);
      return { id: event.id, type: event.type, data, metadata, tenant: event.tenant };
    });
    return new Promise<AppendResult>((resolve, reject) => {
      this.queuedAppends.push({ stream, events: rows, expected, checkIds: prepared.someIdsSupplied, resolve, reject });
      if (this.queuedAppends.length > 1) return;
      if (this.committedThisTurn && this.groupFollowers) {
        // Others append in this turn too: the rest of the turn's appends share one commit.
        setImmediate(this.flushGroup);
        return;
      }
      // The first append of a turn commits at once, so a lone writer waits for nothing.
      if (this.committedThisTurn) this.lonePerTurn += 1;
      else setImmediate(this.endTurn);
      this.committedThisTurn = true;
      this.flushAppends();
    });
  }

  /**
   * Between turns: when several appends committed one by one in the turn that ends, try
   * grouping again (the last group found nobody to group with, but callers change).
   */
  private readonly flushGroup = (): void => {
    if (this.queuedAppends.length > 0) this.groupFollowers = this.queuedAppends.length > 1;
    this.flushAppends();
  };

  private readonly endTurn = (): void => {
    this.committedThisTurn = false;
    if (this.lonePerTurn > 0) this.groupFollowers = true;
    this.lonePerTurn = 0;
  };

  /**
   * Group commit: the appends queued during one turn of the event loop (after its first, which
   * commits at once) are written in one
   * immediate transaction (one WAL commit), each with its own checks and its own outcome. A
   * conflict in one append writes nothing of it and leaves the others alone; nothing is
   * acknowledged before the commit.
   */
  private readonly flushAppends = (): void => {
    const queued = this.queuedAppends;
    if (queued.length === 0) return;
    this.queuedAppends = [];
    // Whose events were stored: only their subscriptions are woken.
    const tenants = new Set<string>();
    for (let start = 0; start < queued.length; ) {
      let end = start;
      let events = 0;
      while (end < queued.length && (end === start || events + queued[end].events.length <= MAX_EVENTS_PER_GROUP)) {
        events += queued[end].events.length;
        end += 1;
      }
      const group = queued.slice(start, end);
      start = end;
      let outcomes: AppendOutcome[];
      try {
        outcomes = this.guard(() => this.ready().appendGroup.immediate(group, Date.now()));
      } catch (error) {
        if (error instanceof EventStoreUnavailableError) {
          for (const append of group) append.reject(error);
          continue;
        }
        // Something unforeseen failed the group as a whole (it was rolled back): give each
        // append a transaction of its own, so only the append at fault fails.
        outcomes = group.map((append) => {
          try {
            return this.guard(() => this.ready().appendGroup.immediate([append], Date.now()))[0];
          } catch (alone) {
            return { kind: 'failed', error: alone };
          }
        });
      }
      group.forEach((append, index) => {
        const outcome = outcomes[index];
        if (outcome.kind === 'stored') for (const event of append.events) tenants.add(event.tenant);
        if (outcome.kind === 'stored' || outcome.kind === 'stored_before') append.resolve(outcome.result);
        else if (outcome.kind === 'wrong_revision') append.reject(new WrongExpectedRevisionError(append.stream, append.expected, outcome.current ?? 'no_stream'));
        else append.reject(outcome.error);
      });
    }
    if (tenants.size > 0) this.changes.notify(tenants);
  };

  /** One immediate transaction per batch: the checks and the inserts see no other writer. */
  async importEvents(batch: readonly ImportedEvent[]): Promise<ImportResult> {
    const prepared = prepareImport(batch);
    const s = this.ready();
    if (prepared.length === 0) return { imported: 0, alreadyStored: 0 };
    const imported = this.guard(() => s.importTransaction.immediate(prepared));
    if (imported > 0) this.changes.notify();
    return { imported, alreadyStored: prepared.length - imported };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const s = this.ready();
    const limit = options.maxCount ?? -1;
    const rows = this.guard(() =>
      options.direction === 'backwards'
        ? (s.readStreamBackwards.all(stream, options.fromRevision ?? Number.MAX_SAFE_INTEGER, limit) as RawEventRow[])
        : (s.readStreamForwards.all(stream, options.fromRevision ?? 0, limit) as RawEventRow[]),
    );
    return rows.map(toStoredEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    return this.readPage(options.fromPosition ?? 0, options.maxCount ?? DEFAULT_PAGE_SIZE, options.filter);
  }

  async headPosition(): Promise<number> {
    const s = this.ready();
    return this.guard(() => s.headPosition.get() as number);
  }

  subscribe(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    this.ready();
    const subscription = new LiveSubscription(
      { changes: this.changes, readPage: this.tail.readPage },
      handler,
      {
        fromPosition: options.fromPosition ?? 0,
        batchSize: options.batchSize ?? DEFAULT_PAGE_SIZE,
        filter: options.filter,
        idleRecheckMs: 5_000,
        onStopped: () => {
          this.subscriptions.delete(subscription);
          if (this.subscriptions.size === 0) this.stopForeignWritePoll();
        },
      },
    );
    this.subscriptions.add(subscription);
    this.startForeignWritePoll();
    return subscription;
  }

  async ping(): Promise<void> {
    const s = this.ready();
    this.guard(() => s.ping.get());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Appends already accepted are committed (or refused) before the file closes.
    this.flushAppends();
    this.closed = true;
    this.stopForeignWritePoll();
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await this.checkpointer?.stop();
    if (this.logReader !== this.db) this.logReader.close();
    this.db.close();
  }

  private async readPage(fromPosition: number, maxCount: number, filter: EventFilter | undefined): Promise<FeedPage> {
    const s = this.ready();
    const from = Math.max(0, Math.floor(fromPosition));
    const max = Math.max(1, Math.floor(maxCount));
    const normalized = normalizeFilter(filter);
    if (normalized.matchesAll) {
      const rows = this.guard(() => s.readAll.all(from, max + 1) as RawEventRow[]);
      const isEnd = rows.length <= max;
      if (!isEnd) rows.length = max;
      const nextPosition = rows.length > 0 ? rows[rows.length - 1][0] + 1 : from;
      return { events: rows.map(toStoredEvent), nextPosition, isEnd };
    }
    const window = Math.max(max * 4, MIN_FILTER_SCAN_WINDOW);
    const params = {
      from,
      limit: max + 1,
      types: normalized.types.length > 0 ? JSON.stringify(normalized.types) : null,
      prefixes: normalized.typePrefixes.length > 0 ? JSON.stringify(normalized.typePrefixes) : null,
      tenant: normalized.tenant ?? null,
    };
    return this.guard(() => s.readFiltered(params, window));
  }

  /** Notices commits by other processes: `data_version` changes when another connection commits. */
  private startForeignWritePoll(): void {
    if (this.pollTimer || this.closed) return;
    this.lastDataVersion = this.dataVersion();
    this.pollTimer = setInterval(() => {
      const version = this.dataVersion();
      if (version !== this.lastDataVersion) {
        this.lastDataVersion = version;
        this.changes.notify();
      }
    }, this.options.foreignWritePollMs ?? 250);
    this.pollTimer.unref();
  }

  private stopForeignWritePoll(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }

  private dataVersion(): number {
    try {
      return this.db.pragma('data_version', { simple: true }) as number;
    } catch {
      return this.lastDataVersion;
    }
  }

  private ready(): ReturnType<typeof prepareStatements> {
    if (this.closed) throw new EventStoreUnavailableError('The SQLite event store is closed');
    if (!this.statements) throw new EventStoreUnavailableError('The SQLite event store is not initialised: call init() first');
    return this.statements;
  }

  /** Runs a database call, turning lock timeouts and I/O failures into EventStoreUnavailableError. */
  private guard<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw toStoreError(error);
    }
  }
}

interface SerializedEvent {
  id: string;
  type: string;
  data: string;
  metadata: string;
  tenant: string;
}

interface QueuedAppend {
  stream: string;
  events: readonly SerializedEvent[];
  expected: ExpectedRevision;
  /** The caller chose some ids, so they may be stored already. */
  checkIds: boolean;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

type AppendOutcome =
  | { kind: 'stored'; result: AppendResult }
  /** Every id is stored already, as this very append: the original result (an idempotent retry). */
  | { kind: 'stored_before'; result: AppendResult }
  | { kind: 'wrong_revision'; current: number | null }
  | { kind: 'failed'; error: unknown };

/** A connection of its own for log reads, with a small page cache; it never writes. */
function openLogReader(file: string, busyTimeoutMs: number): Database.Database {
  const reader = new Database(file);
  try {
    reader.pragma('query_only = ON');
    reader.pragma(`cache_size = -${LOG_READ_CACHE_KIB}`);
    reader.pragma(`busy_timeout = ${busyTimeoutMs}`);
    return reader;
  } catch (error) {
    reader.close();
    throw error;
  }
}

function prepareStatements(db: Database.Database, logReader: Database.Database) {
  const lastRevision = db.prepare(SQL.lastRevision).pluck();
  const insert = db.prepare(SQL.insert);
  const readAll = logReader.prepare(SQL.readAll).raw();
  const windowEnd = logReader.prepare(SQL.windowEnd).pluck();
  const maxPosition = logReader.prepare(SQL.maxPosition).pluck();
  const readFilteredRows = logReader.prepare(SQL.readFiltered).raw();
  const findId = db.prepare(SQL.findId).raw();

  const idStored = db.prepare(SQL.idStored).pluck();
  const findIds = db.prepare(SQL.findIds).raw();

  /** What the store holds under the append's ids (empty when none is stored). */
  const storedIdentities = (events: readonly SerializedEvent[]): StoredIdentity[] => {
    if (!events.some((event) => idStored.get(event.id) !== undefined)) return [];
    const rows = findIds.all(JSON.stringify(events.map((event) => event.id))) as [string, string, number, number, number][];
    return rows.map(([id, stream, revision, position, createdAt]) => ({ id, stream, revision, position, createdAt: new Date(createdAt) }));
  };

  /**
   * One append of a group. Every check comes before the first insert, so an append that is
   * refused writes nothing and the group's transaction goes on with the next one. Ids are
   * checked first: an append whose ids are stored is either the retry of that append (its
   * original result) or refused, whatever the stream holds now.
   */
  const appendOne = (append: QueuedAppend, now: number): AppendOutcome => {
    if (append.checkIds) {
      const stored = storedIdentities(append.events);
      if (stored.length > 0) {
        try {
          const earlier = matchEarlierAppend(append.stream, append.expected, append.events.map((event) => event.id), stored);
          if (earlier) return { kind: 'stored_before', result: earlier };
        } catch (error) {
          return { kind: 'failed', error };
        }
      }
    }
    const current = lastRevision.get(append.stream) as number | null;
    if (!expectationHolds(append.expected, current ?? undefined)) return { kind: 'wrong_revision', current };
    let revision = current ?? -1;
    let position = 0;
    for (const event of append.events) {
      revision += 1;
      const info = insert.run(event.id, append.stream, revision, event.type, event.data, event.metadata, event.tenant, now);
      position = Number(info.lastInsertRowid);
    }
    return { kind: 'stored', result: { nextExpectedRevision: revision, position, createdAt: new Date(now) } };
  };

  const appendGroup = db.transaction((group: readonly QueuedAppend[], now: number): AppendOutcome[] => group.map((append) => appendOne(append, now)));

  /** Returns how many events it stored (the others were stored already). */
  const importTransaction = db.transaction((batch: readonly PreparedImportEvent[]): number => {
    const storedIds = new Map<string, StoredPlace>();
    const lastRevisions = new Map<string, number | undefined>();
    for (const event of batch) {
      const stored = findId.get(event.id) as [string, number] | undefined;
      if (stored) storedIds.set(event.id, { stream: stored[0], revision: stored[1] });
      if (!lastRevisions.has(event.stream)) lastRevisions.set(event.stream, (lastRevision.get(event.stream) as number | null) ?? undefined);
    }
    const toStore = planImport(batch, { storedIds, lastRevisions });
    for (const event of toStore) {
      insert.run(event.id, event.stream, event.revision, event.type, event.dataJson, event.metadataJson, event.tenant, event.createdAt.getTime());
    }
    return toStore.length;
  });

  interface FilterParams {
    from: number;
    limit: number;
    types: string | null;
    prefixes: string | null;
    tenant: string | null;
  }
  // One read transaction, so the window bound and the rows come from the same snapshot.
  const readFiltered = logReader.transaction((params: FilterParams, window: number): FeedPage => {
    const bound = windowEnd.get(params.from, window - 1) as number | undefined;
    const end = bound ?? (maxPosition.get() as number | null);
    if (end === null || end < params.from) return { events: [], nextPosition: params.from, isEnd: true };
    const rows = readFilteredRows.all({ ...params, end }) as RawEventRow[];
    const max = params.limit - 1;
    if (rows.length > max) {
      rows.length = max;
      return { events: rows.map(toStoredEvent), nextPosition: rows[max - 1][0] + 1, isEnd: false };
    }
    return { events: rows.map(toStoredEvent), nextPosition: end + 1, isEnd: bound === undefined };
  });

  return {
    appendGroup,
    importTransaction,
    readAll,
    readFiltered,
    readStreamForwards: db.prepare(SQL.readStreamForwards).raw(),
    readStreamBackwards: db.prepare(SQL.readStreamBackwards).raw(),
    headPosition: db.prepare(SQL.headPosition).pluck(),
    ping: db.prepare('SELECT 1').pluck(),
  };
}

function toStoredEvent(row: RawEventRow): StoredEvent {
  return {
    position: row[0],
    id: row[1],
    stream: row[2],
    type: row[3],
    revision: row[4],
    data: JSON.parse(row[5]),
    metadata: JSON.parse(row[6]),
    tenant: row[7],
    createdAt: new Date(row[8]),
  };
}

/**
 * The SQLite error code of `error`, if it is one. Checked by name, not `instanceof`: the native
 * addon keeps the SqliteError class of the first copy of better-sqlite3 loaded in the process,
 * so errors thrown under a second module registry (Jest loads one per test file) are not
 * instances of that registry's class (nor of its realm's Error).
 */
function sqliteCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, code } = error as { name?: unknown; code?: unknown };
  return name === 'SqliteError' && typeof code === 'string' ? code : undefined;
}

const UNAVAILABLE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|PROTOCOL|NOTADB|CORRUPT)/;

function toStoreError(error: unknown): unknown {
  const code = sqliteCode(error);
  if (code && UNAVAILABLE_CODES.test(code)) return new EventStoreUnavailableError(`SQLite event store unavailable (${code})`, { cause: error });
  if (error instanceof TypeError && /database connection is not open/i.test(error.message)) {
    return new EventStoreUnavailableError('The SQLite event store is closed', { cause: error });
  }
  return error;
}
