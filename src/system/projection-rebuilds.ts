import { Injectable } from '@nestjs/common';
import { RebuildInProgressError, type RebuildPhase, type RebuildProgress } from '@app/eventsourcing';
import { ProjectionEngine } from '@app/eventsourcing/projections/projection-engine';
import { componentLogger } from '../observability/logging/component-logger';

const logger = componentLogger('Rebuilds');

/** How often a running rebuild reports, so a progress bar polling the status moves smoothly. */
const PROGRESS_INTERVAL_MS = 200;

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

/**
 * Rebuilds started by operators on this replica, run in the background with the service's
 * projection engine; the latest one per projection is kept for its status.
 */
@Injectable()
export class ProjectionRebuilds {
  private readonly jobs = new Map<string, RebuildJob>();

  constructor(private readonly engine: ProjectionEngine) {}

  latest(projection: string): RebuildJob | undefined {
    return this.jobs.get(projection);
  }

  /** Starts a rebuild; undefined when one of this projection is already running here. */
  start(projection: string): RebuildJob | undefined {
    if (this.jobs.get(projection)?.state === 'running') return undefined;
    const job: RebuildJob = { projection, state: 'running', phase: 'replaying', done: 0, total: 0, eventsPerSecond: 0, etaSeconds: null, startedAt: new Date().toISOString(), finishedAt: null, position: null, error: null };
    this.jobs.set(projection, job);
    const report = (progress: RebuildProgress): void => {
      Object.assign(job, { phase: progress.phase, done: progress.done, total: progress.total, eventsPerSecond: progress.eventsPerSecond, etaSeconds: progress.etaSeconds });
    };
    this.engine.rebuild(projection, { onProgress: report, progressIntervalMs: PROGRESS_INTERVAL_MS }).then(
      (result) => Object.assign(job, { state: 'done', phase: 'done', done: job.total, etaSeconds: 0, position: result.position, finishedAt: new Date().toISOString() }),
      (error: unknown) => {
        // Another process (the command line, another replica) holds the rebuild: say so.
        const message = error instanceof RebuildInProgressError ? `${error.message}: another process is rebuilding "${projection}"` : error instanceof Error ? error.message : String(error);
        logger.error('Rebuild failed', { projection, error: message });
        Object.assign(job, { state: 'failed', error: message, finishedAt: new Date().toISOString() });
      },
    );
    return job;
  }
}
