import type { EventStore, ReadAllResult, StoredEvent } from '@app/event-store';
import type { DataSource, EntityManager } from 'typeorm';
import { stateTablePath, type DatabaseDialect } from './database-dialect';
import { ProjectionWaitTimeoutError } from './errors';
import { errorMessage, type ProjectionLogger } from './logger';
import { notifyObserver, type ProjectionObserver } from './observer';
import type { Projection } from './projection';
import { isoTimestamp, ProjectionStateEntity, type ProjectionStateRow } from './projection-state.entity';

export interface RunnerContext {
  readonly store: EventStore;
  readonly dataSource: DataSource;
  readonly dialect: DatabaseDialect;
  readonly logger: ProjectionLogger;
  readonly batchSize: number;
  readonly retryDelay: { readonly initialMs: number; readonly maxMs: number };
  readonly observer?: ProjectionObserver;
}

interface BatchOutcome {
  /** The checkpoint after the batch. */
  position: number;
  /** Events reduced. */
  events: number;
  /** The read reached the end of the log. */
  isEnd: boolean;
  /** The checkpoint moved. */
  progressed: boolean;
}

const MAX_ERROR_TEXT = 4000;

/**
 * Drives one projection: transactional batches (lock, read from the checkpoint, reduce, move
 * the checkpoint, commit), shared catch-up for concurrent waiters, and the live loop.
 */
export class ProjectionRunner {
  /** Last checkpoint this process saw committed (by itself or by another engine). */
  private knownPosition = 0;
  private drainInFlight: Promise<void> | undefined;

  private live = false;
  private wakeRequested = false;
  private wakeUp: (() => void) | undefined;
  private interruptPause: (() => void) | undefined;
  private liveLoop: Promise<void> | undefined;

  constructor(
    readonly projection: Projection,
    private readonly context: RunnerContext,
  ) {}

  get name(): string {
    return this.projection.name;
  }

  get eventTypes(): readonly string[] {
    return this.projection.eventTypes;
  }

  get position(): number {
    return this.knownPosition;
  }

  /**
   * Takes a checkpoint read from the database as the truth. It may be lower than what this
   * process saw before when the projection was reset meanwhile (possibly by another process).
   */
  adoptPosition(position: number): void {
    this.knownPosition = position;
  }

  /**
   * Resolves once the checkpoint is at or past `target`. Runs batches as needed, joining a
   * drain already in flight instead of starting a parallel one. When the log does not (yet)
   * show `target`, polls until `timeoutMs` has passed.
   */
  async reach(target: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let pauseMs = 5;
    while (this.knownPosition < target) {
      await this.drain(() => true);
      if (this.knownPosition >= target) return;
      if (Date.now() >= deadline) throw new ProjectionWaitTimeoutError(this.name, target, this.knownPosition);
      await sleep(pauseMs);
      pauseMs = Math.min(pauseMs * 2, 200);
    }
  }

  /** Runs batches until the log's end, or the one already running. Rejects when a batch fails. */
  drain(shouldContinue: () => boolean): Promise<void> {
    if (this.drainInFlight) return this.drainInFlight;
    const run = this.runUntilEnd(shouldContinue).finally(() => {
      this.drainInFlight = undefined;
    });
    this.drainInFlight = run;
    return run;
  }

  /** Starts the live loop: drains now and again after every {@link wake}; retries failures. */
  startLive(): void {
    if (this.live) return;
    this.live = true;
    this.wakeRequested = true;
    this.liveLoop = this.runLive().catch((error: unknown) => {
      // Only a throwing logger gets here; the process must not die of an unhandled rejection.
      this.live = false;
      console.error(`Projection "${this.name}" stopped following the log`, error);
    });
  }

  /** Lets the current batch finish, then stops the live loop. */
  async stopLive(): Promise<void> {
    this.live = false;
    this.wakeUp?.();
    this.interruptPause?.();
    await this.liveLoop;
    this.liveLoop = undefined;
  }

  /** New events may be there: the live loop drains again (soon, if it is retrying). */
  wake(): void {
    this.wakeRequested = true;
    this.wakeUp?.();
  }

  private async runUntilEnd(shouldContinue: () => boolean): Promise<void> {
    for (;;) {
      const outcome = await this.runBatchRecordingFailure();
      if (outcome.isEnd || !outcome.progressed || !shouldContinue()) return;
      // better-sqlite3 (read model and event store) answers synchronously, so a long catch-up
      // would otherwise run as one unbroken chain of microtasks: let timers and I/O in between batches.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private async runBatchRecordingFailure(): Promise<BatchOutcome> {
    const { dialect, dataSource, observer, logger } = this.context;
    const startPosition = this.knownPosition;
    // The page after the checkpoint this process last saw is read while the transaction opens
    // and locks the checkpoint, not after: one round trip less per batch. It is used only if
    // the lock finds that same checkpoint (the log below a page never changes).
    const readAhead = { after: startPosition, page: this.readAfter(startPosition) };
    readAhead.page.catch(() => undefined);
    try {
      let started = 0;
      const outcome = await dialect.transaction(dataSource, stateTablePath(dataSource), (manager) => {
        started = performance.now();
        return this.runBatch(manager, readAhead);
      });
      this.adoptPosition(outcome.position);
      if (outcome.progressed || outcome.events > 0) {
        const info = { projection: this.name, events: outcome.events, durationMs: performance.now() - started, position: outcome.position };
        notifyObserver(observer?.onBatch, info, logger);
      }
      return outcome;
    } catch (error) {
      notifyObserver(observer?.onFailure, { projection: this.name, error, position: startPosition }, logger);
      await this.recordFailure(error);
      throw error;
    }
  }

  /** One batch, inside the transaction that also commits its checkpoint. */
  private async runBatch(manager: EntityManager, readAhead: { after: number; page: Promise<ReadAllResult> }): Promise<BatchOutcome> {
    const stateTable = stateTablePath(manager.dataSource);
    let checkpoint = await this.context.dialect.lockCheckpoint(manager, stateTable, this.name);
    if (checkpoint === undefined) {
      await insertMissingStates(manager, [this.name]);
      checkpoint = await this.context.dialect.lockCheckpoint(manager, stateTable, this.name);
      if (checkpoint === undefined) throw new Error(`Projection state row of "${this.name}" cannot be created`);
    }
    this.adoptPosition(checkpoint);

    const read = checkpoint === readAhead.after ? await readAhead.page : await this.readAfter(checkpoint);
    const events = read.events;
    if (events.length > 0) await this.projection.apply(events, manager);

    const lastEvent: StoredEvent | undefined = events[events.length - 1];
    const position = Math.max(checkpoint, read.nextPosition - 1, lastEvent?.position ?? 0);
    const progressed = position > checkpoint;
    if (progressed || events.length > 0) {
      await manager.query(checkpointUpdate(manager.dataSource, this.context.dialect.kind), [
        position,
        isoTimestamp.to(new Date()),
        events.length,
        lastEvent ? isoTimestamp.to(lastEvent.createdAt) : null,
        this.name,
      ]);
    }
    return { position, events: events.length, isEnd: read.isEnd, progressed };
  }

  /** The next batch's events after `checkpoint`. */
  private async readAfter(checkpoint: number): Promise<ReadAllResult> {
    return this.context.store.readAll({ fromPosition: checkpoint + 1, maxCount: this.context.batchSize, filter: { types: this.projection.eventTypes } });
  }

  private async recordFailure(error: unknown): Promise<void> {
    const text = errorMessage(error).slice(0, MAX_ERROR_TEXT);
    const { dialect, dataSource } = this.context;
    try {
      await dialect.transaction(dataSource, stateTablePath(dataSource), (manager) =>
        manager
          .createQueryBuilder()
          .update(ProjectionStateEntity)
          .set({ lastError: text, lastErrorAt: new Date(), errorCount: () => 'error_count + 1' })
          .where('name = :name', { name: this.name })
          .execute(),
      );
    } catch (recordError) {
      // The database itself may be what failed; the original error is what matters.
      this.context.logger.warn('Could not record the projection failure', {
        projection: this.name,
        error: errorMessage(recordError),
      });
    }
  }

  private async runLive(): Promise<void> {
    let failures = 0;
    while (this.live) {
      if (!this.wakeRequested) {
        await new Promise<void>((resolve) => {
          this.wakeUp = resolve;
        });
        this.wakeUp = undefined;
        continue;
      }
      this.wakeRequested = false;
      try {
        await this.drain(() => this.live);
        if (failures > 0) this.context.logger.info('Projection recovered', { projection: this.name, position: this.knownPosition });
        failures = 0;
      } catch (error) {
        failures += 1;
        const delayMs = backoffDelay(failures, this.context.retryDelay);
        this.context.logger.error('Projection batch failed; retrying', {
          projection: this.name,
          position: this.knownPosition,
          attempt: failures,
          retryInMs: delayMs,
          error: errorMessage(error),
        });
        this.wakeRequested = true;
        await this.pause(delayMs);
      }
    }
  }

  /** Waits `ms` unless the live loop is stopped first (wake-ups do not shorten a backoff). */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.interruptPause = done;
    }).finally(() => {
      this.interruptPause = undefined;
    });
  }
}

const checkpointUpdates = new WeakMap<DataSource, string>();

/**
 * The statement that moves a checkpoint after a batch (position, updatedAt, errorCount reset,
 * eventsProcessed added to, lastEventAt kept when the batch reduced no event), every value
 * bound: its text is the same for every batch, so SQLite compiles it once. (The query builder
 * inlines numbers there, which made each batch's statement a new text to compile and pushed
 * the other statements out of the driver's statement cache.)
 */
function checkpointUpdate(dataSource: DataSource, kind: DatabaseDialect['kind']): string {
  let sql = checkpointUpdates.get(dataSource);
  if (sql !== undefined) return sql;
  const metadata = dataSource.getMetadata(ProjectionStateEntity);
  const column = (property: keyof ProjectionStateRow): string => {
    const found = metadata.findColumnWithPropertyName(property);
    if (!found) throw new Error(`${metadata.name} has no column for property ${property}`);
    return dataSource.driver.escape(found.databaseName);
  };
  const parameter = (index: number): string => (kind === 'postgres' ? `$${index}` : '?');
  sql =
    `UPDATE ${stateTablePath(dataSource)} SET ${column('position')} = ${parameter(1)}, ${column('updatedAt')} = ${parameter(2)}, ` +
    `${column('errorCount')} = 0, ${column('eventsProcessed')} = ${column('eventsProcessed')} + ${parameter(3)}, ` +
    `${column('lastEventAt')} = COALESCE(${parameter(4)}, ${column('lastEventAt')}) WHERE ${column('name')} = ${parameter(5)}`;
  checkpointUpdates.set(dataSource, sql);
  return sql;
}

/** Inserts checkpoint rows at position 0 for projections that have none yet. */
export async function insertMissingStates(manager: EntityManager, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const now = new Date();
  await manager
    .createQueryBuilder()
    .insert()
    .into(ProjectionStateEntity)
    .values(
      names.map((name) => ({
        name,
        position: 0,
        lastEventAt: null,
        updatedAt: now,
        lastError: null,
        lastErrorAt: null,
        errorCount: 0,
        eventsProcessed: 0,
      })),
    )
    .orIgnore()
    .execute();
}

/** Exponential backoff with jitter, so replicas failing together do not retry in lockstep. */
export function backoffDelay(failures: number, bounds: { initialMs: number; maxMs: number }): number {
  const exponential = Math.min(bounds.maxMs, bounds.initialMs * 2 ** Math.min(failures - 1, 30));
  return Math.round(exponential / 2 + Math.random() * (exponential / 2));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
