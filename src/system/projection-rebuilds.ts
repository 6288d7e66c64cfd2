import { Injectable } from '@nestjs/common';
import { RebuildInProgressError } from '@app/eventsourcing';
import { ProjectionEngine } from '@app/eventsourcing/projections/projection-engine';
import { componentLogger } from '../observability/logging/component-logger';
import { jobOfRow, processName, RebuildJobRecorder } from './rebuild-job-recorder';
import { RebuildJobStore } from './rebuild-job-store';
import type { RebuildJob } from './system-views';

const logger = componentLogger('Rebuilds');

/** How often a running rebuild reports, so a progress bar polling the status moves smoothly. */
const PROGRESS_INTERVAL_MS = 200;

/**
 * Rebuilds started by operators, run in the background with the service's projection engine on
 * the replica that got the call. Their progress is written to the read-model database (see
 * RebuildJobRecorder), so every replica answers the status of the latest one.
 */
@Injectable()
export class ProjectionRebuilds {
  /** The latest start of each projection on this replica. */
  private readonly local = new Map<string, RebuildJobRecorder>();

  constructor(
    private readonly engine: ProjectionEngine,
    private readonly store: RebuildJobStore,
  ) {}

  /** The latest rebuild of the projection, started on any replica or the command line, or undefined. */
  async latest(projection: string): Promise<RebuildJob | undefined> {
    const row = await this.store.read(projection);
    const local = this.local.get(projection);
    // This replica's own start is freshest in memory: the row may not be written yet (or ever, when the lock was refused).
    if (local && (row === undefined || row.jobId === local.id || local.job.startedAt > row.startedAt)) return { ...local.job };
    return row === undefined ? undefined : jobOfRow(row);
  }

  /** Starts a rebuild; undefined when one of this projection is already running anywhere. */
  async start(projection: string): Promise<RebuildJob | undefined> {
    if ((await this.latest(projection))?.state === 'running') return undefined;
    const recorder = new RebuildJobRecorder(this.store, projection, processName(), logger);
    this.local.set(projection, recorder);
    this.engine.rebuild(projection, { onProgress: recorder.report, progressIntervalMs: PROGRESS_INTERVAL_MS }).then(
      (result) => recorder.succeeded(result.position),
      (error: unknown) => {
        // Another process (the command line, another replica) holds the rebuild: say so.
        const message = error instanceof RebuildInProgressError ? `${error.message}: another process is rebuilding "${projection}"` : error instanceof Error ? error.message : String(error);
        logger.error('Rebuild failed', { projection, error: message });
        return recorder.failed(message);
      },
    );
    return { ...recorder.job };
  }
}
