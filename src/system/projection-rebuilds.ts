import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable } from '@nestjs/common';
import { RebuildInProgressError, type RebuildPhase, type RebuildProgress } from '@app/eventsourcing';
import { ProjectionEngine } from '@app/eventsourcing/projections/projection-engine';
import { componentLogger } from '../observability/logging/component-logger';
import { RebuildJobStore } from './rebuild-job-store';
import type { RebuildJobRow } from './rebuild-job-table';

const logger = componentLogger('Rebuilds');

/** How often a running rebuild reports, so a progress bar polling the status moves smoothly. */
const PROGRESS_INTERVAL_MS = 200;
/** A running rebuild's row is rewritten at least this often, even while a switch holds its progress still. */
const HEARTBEAT_MS = 2_000;
/** A running rebuild's row not written for this long was left by a replica that stopped. */
export const REBUILD_STALE_AFTER_MS = 15_000;

/** A rebuild started through the API, as the status endpoint shows it. */
export interface RebuildJob {
  projection: string;
  state: 'running' | 'done' | 'failed';
  phase: RebuildPhase;
  /** Events of the projection's types reduced so far, and in the log when it started. */
  done: number;
  total: number;
  eventsPerSecond: number;
  etaSeconds: number | null;
  startedAt: string;
  finishedAt: string | null;
  /** The live checkpoint after the switch, once done. */
  position: number | null;
  error: string | null;
}

/** A start of this replica, with what the shared row needs. */
interface LocalJob {
  id: string;
  job: RebuildJob;
  /** Holds the rebuild's lock (its first report came): its row is the projection's. */
  stored: boolean;
}

/**
 * Rebuilds started by operators, run in the background with the service's projection engine on
 * the replica that got the call. Their progress is written to the read-model database at every
 * report (and a heartbeat), so every replica answers the status of the latest one.
 */
@Injectable()
export class ProjectionRebuilds {
  private readonly local = new Map<string, LocalJob>();
  private readonly replica = `${hostname()}:${process.pid}`;

  constructor(
    private readonly engine: ProjectionEngine,
    private readonly store: RebuildJobStore,
  ) {}

  /** The latest rebuild of the projection started on any replica, or undefined when none was. */
  async latest(projection: string): Promise<RebuildJob | undefined> {
    const row = await this.store.read(projection);
    const local = this.local.get(projection);
    // A start of this replica that has not reached the database yet (waiting for the lock, or refused it) is newer.
    if (local && !local.stored && (row === undefined || row.jobId !== local.id) && (row === undefined || local.job.startedAt >= row.startedAt)) return { ...local.job };
    return row === undefined ? undefined : jobOf(row);
  }

  /** Starts a rebuild; undefined when one of this projection is already running on any replica. */
  async start(projection: string): Promise<RebuildJob | undefined> {
    if ((await this.latest(projection))?.state === 'running') return undefined;
    const job: RebuildJob = { projection, state: 'running', phase: 'replaying', done: 0, total: 0, eventsPerSecond: 0, etaSeconds: null, startedAt: new Date().toISOString(), finishedAt: null, position: null, error: null };
    const local: LocalJob = { id: randomUUID(), job, stored: false };
    this.local.set(projection, local);
    const writer = new LatestRowWriter((row) => this.store.write(row), projection);
    const record = (): Promise<void> => writer.write({ ...job, name: projection, jobId: local.id, replica: this.replica });
    let heartbeat: NodeJS.Timeout | undefined;
    const report = (progress: RebuildProgress): void => {
      Object.assign(job, { phase: progress.phase, done: progress.done, total: progress.total, eventsPerSecond: progress.eventsPerSecond, etaSeconds: progress.etaSeconds });
      // Reports come only while this start holds the rebuild's lock: from here on the row is its own.
      if (!local.stored) {
        local.stored = true;
        heartbeat = setInterval(() => void record(), HEARTBEAT_MS);
        heartbeat.unref();
      }
      void record();
    };
    const finish = async (): Promise<void> => {
      clearInterval(heartbeat);
      if (local.stored) await record();
    };
    this.engine.rebuild(projection, { onProgress: report, progressIntervalMs: PROGRESS_INTERVAL_MS }).then(
      (result) => {
        Object.assign(job, { state: 'done', phase: 'done', done: job.total, etaSeconds: 0, position: result.position, finishedAt: new Date().toISOString() });
        return finish();
      },
      (error: unknown) => {
        // Another process (the command line, another replica) holds the rebuild: say so.
        const message = error instanceof RebuildInProgressError ? `${error.message}: another process is rebuilding "${projection}"` : error instanceof Error ? error.message : String(error);
        logger.error('Rebuild failed', { projection, error: message });
        Object.assign(job, { state: 'failed', error: message, finishedAt: new Date().toISOString() });
        return finish();
      },
    );
    return { ...job };
  }
}

/** The row as the API shows it; a running row its replica stopped writing is reported failed. */
function jobOf(row: RebuildJobRow, now = Date.now()): RebuildJob {
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
      error: `The replica running it (${row.replica}) stopped reporting ${Math.round(silentMs / 1000)} s ago; start the rebuild again to resume it`,
    };
  }
  return job;
}

/**
 * Writes a job's rows one at a time in order, skipping to the latest when reports come faster
 * than the database takes them; a failed write is logged (the next report writes again).
 */
class LatestRowWriter {
  private next: Omit<RebuildJobRow, 'updatedAt'> | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly persist: (row: Omit<RebuildJobRow, 'updatedAt'>) => Promise<void>,
    private readonly projection: string,
  ) {}

  /** Resolves once this row (or a later one) is written. */
  write(row: Omit<RebuildJobRow, 'updatedAt'>): Promise<void> {
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
        logger.warn('Writing the rebuild progress failed', { projection: this.projection, error: error instanceof Error ? error.message : String(error) });
      }
    }
    this.flushing = undefined;
  }
}
