import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ProjectionLogger, RebuildPhase, RebuildProgress } from '@app/eventsourcing';
import type { RebuildJobStore } from './rebuild-job-store';
import type { RebuildJobRow } from './rebuild-job-table';
import type { RebuildJob } from './system-views';

/** A running rebuild's row is rewritten at least this often, even while a switch holds its progress still. */
const HEARTBEAT_MS = 2_000;
/** A running rebuild's row not written for this long was left by a process that stopped. */
export const REBUILD_STALE_AFTER_MS = 15_000;

type RowToWrite = Omit<RebuildJobRow, 'updatedAt'>;

/**
 * One rebuild's progress, kept in memory and written to the shared table once the rebuild holds
 * its lock (from its first report on): at every report, every {@link HEARTBEAT_MS}, and at the end.
 * Used by the service's rebuilds and by the command line's, so either shows on every replica.
 */
export class RebuildJobRecorder {
  readonly id = randomUUID();
  readonly job: RebuildJob;
  private stored = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly writer: LatestRowWriter;

  constructor(
    store: RebuildJobStore,
    projection: string,
    /** Who runs it, shown when it stops reporting: `host:pid`, with a prefix saying what it is. */
    private readonly runner: string,
    logger: ProjectionLogger,
  ) {
    this.job = { projection, state: 'running', phase: 'replaying', done: 0, total: 0, eventsPerSecond: 0, etaSeconds: null, startedAt: new Date().toISOString(), finishedAt: null, position: null, error: null };
    this.writer = new LatestRowWriter((row) => store.write(row), (error) =>
      logger.warn('Writing the rebuild progress failed', { projection, error: error instanceof Error ? error.message : String(error) }),
    );
  }

  /** The rebuild's progress callback: reports come only while it holds the lock, so the row is its own. */
  readonly report = (progress: RebuildProgress): void => {
    Object.assign(this.job, { phase: progress.phase, done: progress.done, total: progress.total, eventsPerSecond: progress.eventsPerSecond, etaSeconds: progress.etaSeconds });
    if (!this.stored) {
      this.stored = true;
      this.heartbeat = setInterval(() => void this.record(), HEARTBEAT_MS);
      this.heartbeat.unref();
    }
    void this.record();
  };

  succeeded(position: number): Promise<void> {
    Object.assign(this.job, { state: 'done', phase: 'done', done: this.job.total, etaSeconds: 0, position, finishedAt: new Date().toISOString() });
    return this.finish();
  }

  failed(message: string): Promise<void> {
    Object.assign(this.job, { state: 'failed', error: message, finishedAt: new Date().toISOString() });
    return this.finish();
  }

  private finish(): Promise<void> {
    clearInterval(this.heartbeat);
    return this.stored ? this.record() : Promise.resolve();
  }

  private record(): Promise<void> {
    return this.writer.write({ ...this.job, name: this.job.projection, jobId: this.id, replica: this.runner });
  }
}

/** What runs rebuilds in this process, as a row names it. */
export const processName = (): string => `${hostname()}:${process.pid}`;

/** The row as the API shows it; a running row nobody has written for long is reported failed. */
export function jobOfRow(row: RebuildJobRow, now = Date.now()): RebuildJob {
  const job: RebuildJob = {
    projection: row.name,
    state: row.state as RebuildJob['state'],
    phase: row.phase as RebuildPhase,
    done: row.done,
    total: row.total,
    eventsPerSecond: row.eventsPerSecond,
    etaSeconds: row.etaSeconds,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    position: row.position,
    error: row.error,
  };
  const silentMs = now - Date.parse(row.updatedAt);
  if (job.state === 'running' && silentMs > REBUILD_STALE_AFTER_MS) {
    return {
      ...job,
      state: 'failed',
      etaSeconds: null,
      error: `The process running it (${row.replica}) stopped reporting ${Math.round(silentMs / 1000)} s ago; start the rebuild again to resume it`,
    };
  }
  return job;
}

/**
 * Writes a job's rows one at a time in order, skipping to the latest when reports come faster
 * than the database takes them; a failed write is reported (the next report writes again).
 */
class LatestRowWriter {
  private next: RowToWrite | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly persist: (row: RowToWrite) => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Resolves once this row (or a later one) is written. */
  write(row: RowToWrite): Promise<void> {
    this.next = row;
    this.flushing ??= this.flush();
    return this.flushing;
  }

  private async flush(): Promise<void> {
    while (this.next !== undefined) {
      const row = this.next;
      this.next = undefined;
      try {
        await this.persist(row);
      } catch (error) {
        this.onError(error);
      }
    }
    this.flushing = undefined;
  }
}
