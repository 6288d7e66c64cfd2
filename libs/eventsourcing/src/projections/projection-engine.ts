import type { EventStore } from '@app/event-store';
import { AppendWakeUp } from '../live/append-wake-up';
import { In, type DataSource } from 'typeorm';
import { CoalescingRead } from './coalescing-read';
import { dialectOf, stateTablePath, type DatabaseDialect } from './database-dialect';
import { UnknownProjectionError } from './errors';
import { errorMessage, silentLogger, type ProjectionLogger } from './logger';
import type { ProjectionObserver } from './observer';
import type { EntityTarget, Projection } from './projection';
import { insertMissingStates, ProjectionRunner } from './projection-runner';
import { ProjectionStateEntity, type ProjectionStateRow } from './projection-state.entity';
import { ProjectionRebuild, type RebuildInfo, type RebuildOptions, type RebuildResult } from './rebuild/projection-rebuild';
import { synchronizeEntities } from './schema-sync';

export interface ProjectionEngineOptions {
  /** Events read and reduced per transaction. Default 1000. */
  batchSize?: number;
  logger?: ProjectionLogger;
  /**
   * Live mode also compares the head with the checkpoints this often, in case a notification
   * was missed (or the store does not notify about other processes' writes). Default 1000 ms.
   */
  pollIntervalMs?: number;
  /** Backoff between failed live batches: doubles from `initialMs` up to `maxMs`. Default 100 ms / 30 s. */
  retryDelay?: { initialMs: number; maxMs: number };
  /** How long `waitForPosition` waits for a position the log does not show yet. Default 10 s. */
  waitTimeoutMs?: number;
  /** Create missing state and read-model tables in `init()`. Default true. */
  synchronizeSchema?: boolean;
  /**
   * SQLite read models: how long a batch keeps retrying (asynchronously, without blocking the
   * event loop) while another process holds the database write lock. Default 10 s.
   */
  sqliteLockWaitMs?: number;
  /** Metrics hooks: committed batches and failures of the live tables. */
  observer?: ProjectionObserver;
}

export interface ProjectionStatus {
  name: string;
  /** Checkpoint: the log is reduced up to this global position (inclusive). */
  position: number;
  /**
   * Head position minus checkpoint: 0 when caught up. In position units, which count events
   * only on stores with dense positions (PostgreSQL positions are sparse).
   */
  lag: number;
  lastEventAt: Date | null;
  updatedAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  /** Consecutive failed batches; 0 when healthy. */
  errorCount: number;
  eventsProcessed: number;
}

export interface ProjectionEngineStatus {
  headPosition: number;
  /** True between `start()` and `stop()`. */
  live: boolean;
  projections: ProjectionStatus[];
}

export interface WaitForPositionOptions {
  /** Only this projection; default all. */
  name?: string;
  /** Overrides {@link ProjectionEngineOptions.waitTimeoutMs}. */
  timeoutMs?: number;
}

/** The entities to list in the read-model DataSource's `entities` for these projections. */
export function projectionEngineEntities(projections: readonly Projection[]): EntityTarget[] {
  return [ProjectionStateEntity, ...new Set(projections.flatMap((projection) => projection.entities))];
}

/**
 * Feeds projections from the global log into a TypeORM read-model database (better-sqlite3
 * or PostgreSQL). Every batch reduces events and moves the projection's checkpoint in one
 * transaction, under a per-projection lock, so each event is reduced exactly once even with
 * several engines (replicas) on the same database.
 *
 * The DataSource must know {@link projectionEngineEntities} of the projections; the caller
 * owns it (and the store) and closes them after {@link stop}.
 */
export class ProjectionEngine {
  private readonly runners = new Map<string, ProjectionRunner>();
  private readonly dialect: DatabaseDialect;
  private readonly logger: ProjectionLogger;
  private readonly head: CoalescingRead<number>;
  private readonly pollIntervalMs: number;
  private readonly waitTimeoutMs: number;
  private readonly synchronizeSchema: boolean;
  private readonly retryDelay: { initialMs: number; maxMs: number };
  private readonly batchSize: number;
  private readonly sqliteLockWaitMs: number;

  private initialized: Promise<void> | undefined;
  private live = false;
  private wakeUp: AppendWakeUp | undefined;
  private pollTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    projections: readonly Projection[],
    options: ProjectionEngineOptions = {},
  ) {
    this.sqliteLockWaitMs = options.sqliteLockWaitMs ?? 10_000;
    this.dialect = dialectOf(dataSource, { sqliteLockWaitMs: this.sqliteLockWaitMs });
    this.logger = options.logger ?? silentLogger;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.waitTimeoutMs = options.waitTimeoutMs ?? 10_000;
    this.synchronizeSchema = options.synchronizeSchema ?? true;
    this.retryDelay = options.retryDelay ?? { initialMs: 100, maxMs: 30_000 };
    const batchSize = options.batchSize ?? 1000;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
    this.batchSize = batchSize;
    this.head = new CoalescingRead(() => this.store.headPosition());

    for (const projection of projections) {
      if (this.runners.has(projection.name)) throw new Error(`Two projections are named "${projection.name}"`);
      if (projection.eventTypes.length === 0) throw new Error(`Projection "${projection.name}" handles no event type`);
      this.runners.set(
        projection.name,
        new ProjectionRunner(projection, {
          store,
          dataSource,
          dialect: this.dialect,
          logger: this.logger,
          batchSize,
          retryDelay: this.retryDelay,
          observer: options.observer,
        }),
      );
    }
  }

  /**
   * Checks the DataSource, creates missing tables (when `synchronizeSchema`) and checkpoint
   * rows, and loads the checkpoints. Idempotent; the other methods call it when needed.
   */
  init(): Promise<void> {
    this.initialized ??= this.initialize().catch((error: unknown) => {
      this.initialized = undefined;
      throw error;
    });
    return this.initialized;
  }

  /** Starts live mode: every projection follows the log from its checkpoint. */
  async start(): Promise<void> {
    if (this.live) return;
    await this.init();
    this.live = true;
    for (const runner of this.runners.values()) runner.startLive();
    // The subscription only wakes runners: batches always read from the locked checkpoint.
    this.wakeUp = new AppendWakeUp(this.store, { listeners: [...this.runners.values()], retryDelay: this.retryDelay, logger: this.logger });
    await this.wakeUp.start();
    this.schedulePoll();
    this.logger.info('Projections started', { projections: [...this.runners.keys()] });
  }

  /** Ends live mode after the batches in flight have committed (or failed). */
  async stop(): Promise<void> {
    if (!this.live) return;
    this.live = false;
    clearTimeout(this.pollTimer);
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    await Promise.all([wakeUp?.stop(), ...[...this.runners.values()].map((runner) => runner.stopLive())]);
    this.logger.info('Projections stopped');
  }

  /**
   * Resolves when the projection (default: all) has reduced the log up to the head position
   * current at the call, i.e. every event appended before the call. Concurrent callers share
   * the head query and the batches; when already caught up it costs one head query.
   */
  async catchUp(name?: string): Promise<void> {
    const runners = this.select(name);
    await this.init();
    const head = await this.head.get();
    await Promise.all(runners.map((runner) => runner.reach(head, this.waitTimeoutMs)));
  }

  /**
   * Resolves when the projection (default: all) has reduced the log up to `position` (e.g.
   * the position of a local append), without asking the store for its head.
   * Rejects with ProjectionWaitTimeoutError when the log does not show `position` in time.
   */
  async waitForPosition(position: number, options: WaitForPositionOptions = {}): Promise<void> {
    const runners = this.select(options.name);
    await this.init();
    const timeoutMs = options.timeoutMs ?? this.waitTimeoutMs;
    await Promise.all(runners.map((runner) => runner.reach(position, timeoutMs)));
  }

  /** Checkpoints and health of every projection, as stored (so other replicas' work shows). */
  async status(): Promise<ProjectionEngineStatus> {
    await this.init();
    const [headPosition, rows] = await Promise.all([this.store.headPosition(), this.readStates()]);
    const byName = new Map(rows.map((row) => [row.name, row]));
    const projections = [...this.runners.keys()].map((name): ProjectionStatus => {
      const row = byName.get(name);
      const position = row?.position ?? 0;
      return {
        name,
        position,
        lag: Math.max(0, headPosition - position),
        lastEventAt: row?.lastEventAt ?? null,
        updatedAt: row?.updatedAt ?? null,
        lastError: row?.lastError ?? null,
        lastErrorAt: row?.lastErrorAt ?? null,
        errorCount: row?.errorCount ?? 0,
        eventsProcessed: row?.eventsProcessed ?? 0,
      };
    });
    return { headPosition, live: this.live, projections };
  }

  /**
   * Empties the projection's tables and moves its checkpoint back to 0, in one transaction,
   * so it is rebuilt from the whole log (in live mode, right away; otherwise on catch-up).
   * Other engines notice the reset at their next batch of this projection.
   */
  async reset(name: string): Promise<void> {
    const [runner] = this.select(name);
    await this.init();
    const stateTable = stateTablePath(this.dataSource);
    await this.dialect.transaction(this.dataSource, stateTable, async (manager) => {
      await insertMissingStates(manager, [name]);
      await this.dialect.lockCheckpoint(manager, stateTable, name);
      for (const entity of runner.projection.entities) await manager.clear(entity);
      await manager.update(ProjectionStateEntity, { name }, { position: 0, lastEventAt: null, eventsProcessed: 0, updatedAt: new Date() });
    });
    runner.adoptPosition(0);
    if (this.live) runner.wake();
    this.logger.info('Projection reset', { projection: name });
  }

  /**
   * Replays the whole log into fresh tables of the projection (a separate PostgreSQL schema or
   * SQLite file) while the live tables keep serving and following the log, then replaces the
   * live tables' rows and checkpoint with the rebuilt ones in one transaction. Resumes a rebuild
   * left by an interrupted call unless `fresh`. Rejects with RebuildInProgressError when another
   * process is rebuilding the same projection. See README.md, "Rebuilding a projection".
   */
  async rebuild(name: string, options: RebuildOptions = {}): Promise<RebuildResult> {
    const [runner] = this.select(name);
    await this.init();
    const result = await this.rebuildOf(runner).run(options);
    if (result.position > runner.position) runner.adoptPosition(result.position);
    if (this.live) runner.wake();
    return result;
  }

  /** The rebuild of the projection in progress or left by an interrupted call, or null. */
  async rebuildStatus(name: string): Promise<RebuildInfo | null> {
    const [runner] = this.select(name);
    await this.init();
    return this.rebuildOf(runner).info();
  }

  /** Drops the rebuild left by an interrupted call; false when there was none. */
  async discardRebuild(name: string): Promise<boolean> {
    const [runner] = this.select(name);
    await this.init();
    return this.rebuildOf(runner).discard();
  }

  private rebuildOf(runner: ProjectionRunner): ProjectionRebuild {
    return new ProjectionRebuild(runner.projection, {
      store: this.store,
      live: this.dataSource,
      liveDialect: this.dialect,
      logger: this.logger,
      batchSize: this.batchSize,
      retryDelay: this.retryDelay,
      sqliteLockWaitMs: this.sqliteLockWaitMs,
    });
  }

  private async initialize(): Promise<void> {
    if (!this.dataSource.isInitialized) await this.dataSource.initialize();
    const projections = [...this.runners.values()].map((runner) => runner.projection);
    const entities = projectionEngineEntities(projections);
    const missing = entities.filter((entity) => !this.dataSource.hasMetadata(entity));
    if (missing.length > 0) {
      const names = missing.map((entity) => ('options' in entity ? entity.options.name : entity.name)).join(', ');
      throw new Error(`The read-model DataSource does not list these entities (use projectionEngineEntities()): ${names}`);
    }
    if (this.synchronizeSchema) await synchronizeEntities(this.dataSource, entities);
    const names = [...this.runners.keys()];
    await this.dialect.transaction(this.dataSource, stateTablePath(this.dataSource), (manager) => insertMissingStates(manager, names));
    const rows = await this.readStates();
    for (const row of rows) this.runners.get(row.name)?.adoptPosition(row.position);
  }

  private select(name: string | undefined): ProjectionRunner[] {
    if (name === undefined) return [...this.runners.values()];
    const runner = this.runners.get(name);
    if (!runner) throw new UnknownProjectionError(name);
    return [runner];
  }

  private schedulePoll(): void {
    if (!this.live) return;
    this.pollTimer = setTimeout(() => {
      void this.poll().finally(() => this.schedulePoll());
    }, this.pollIntervalMs);
  }

  /**
   * Reads the stored checkpoints (not the ones this process remembers) so a projection that
   * another process reset is rebuilt here too, and wakes every runner behind the head.
   */
  private async poll(): Promise<void> {
    try {
      const [head, checkpoints] = await Promise.all([this.head.get(), this.readCheckpoints()]);
      for (const runner of this.runners.values()) {
        const stored = checkpoints.get(runner.name);
        if (stored !== undefined) runner.adoptPosition(stored);
        if (runner.position < head) runner.wake();
      }
    } catch (error) {
      this.logger.warn('Polling the head and checkpoints failed', { error: errorMessage(error) });
    }
  }

  private async readCheckpoints(): Promise<Map<string, number>> {
    const rows = await this.readStates();
    return new Map(rows.map((row) => [row.name, row.position]));
  }

  /**
   * Committed state rows of this engine's projections. On SQLite the read waits for the batch
   * in flight: on the shared connection it would otherwise see that batch's uncommitted rows.
   */
  private readStates(): Promise<ProjectionStateRow[]> {
    const names = [...this.runners.keys()];
    return this.dialect.exclusive(() => this.dataSource.getRepository(ProjectionStateEntity).findBy({ name: In(names) }));
  }
}
