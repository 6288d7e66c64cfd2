import { RebuildInProgressError, type RebuildInfo, type RebuildResult } from '@app/eventsourcing';
import { countEventsAfter } from '../../persistence/log-lag';
import { processName, RebuildJobRecorder } from '../../system/rebuild-job-recorder';
import { RebuildJobStore } from '../../system/rebuild-job-store';
import type { ProjectionView, SubscriberReport } from '../../system/system-views';
import { CliError, type CliIo } from '../cli-io';
import { openOperationsContext, stderrLogger, type OperationsContext } from '../support/operations-context';
import { rebuildProgressView } from '../support/rebuild-progress-view';
import { firstLine, renderTable } from '../support/table';

/** Lag counts stop here: beyond it the exact number does not change what an operator does. */
const LAG_COUNT_CAP = 100_000;

/** A projection's checkpoint as stored: what GET /system/v1/projections shows of it, and more. */
export interface ProjectionReport extends Pick<ProjectionView, 'name' | 'position' | 'lagEvents' | 'eventsProcessed' | 'lastEventAt' | 'lastError'> {
  /** Head position minus checkpoint (position units; sparse on PostgreSQL). */
  lagPositions: number;
  /** lagEvents reached {@link LAG_COUNT_CAP}. */
  lagEventsCapped: boolean;
  updatedAt: string | null;
  errorCount: number;
  lastErrorAt: string | null;
  /** A rebuild left by an interrupted `projections rebuild` (resumed by running it again). */
  rebuild: (Omit<RebuildInfo, 'updatedAt'> & { updatedAt: string | null }) | null;
}

/**
 * A subscriber's checkpoint as stored: the facts of the service's {@link SubscriberReport} but
 * `heldHere` (a command never holds the lease), the lease holder as `owner`, and the counters.
 */
export interface SubscriberCheckpointReport extends Pick<SubscriberReport, 'name' | 'position' | 'lagEvents' | 'failedEvents' | 'leaseUntil'> {
  lagPositions: number;
  lagEventsCapped: boolean;
  eventsHandled: number;
  eventsParked: number;
  owner: SubscriberReport['leaseHolder'];
  updatedAt: string | null;
}

export interface OperationsReport {
  eventStore: string;
  headPosition: number;
  projections: ProjectionReport[];
  subscribers: SubscriberCheckpointReport[];
}

const iso = (date: Date | null | undefined): string | null => date?.toISOString() ?? null;

async function lagOf(context: OperationsContext, position: number, lagPositions: number): Promise<{ lagEvents: number; lagEventsCapped: boolean }> {
  if (lagPositions <= 0) return { lagEvents: 0, lagEventsCapped: false };
  const lagEvents = await countEventsAfter(context.store, position, LAG_COUNT_CAP);
  return { lagEvents, lagEventsCapped: lagEvents >= LAG_COUNT_CAP };
}

/** Checkpoints of every projection and subscriber, as stored (so the running service's work shows). */
export async function operationsReport(context: OperationsContext): Promise<OperationsReport> {
  const engineStatus = await context.engine.status();
  const subscriberStatus = await context.subscribers.status();
  const projections: ProjectionReport[] = [];
  for (const projection of engineStatus.projections) {
    const rebuild = await context.engine.rebuildStatus(projection.name);
    projections.push({
      name: projection.name,
      position: projection.position,
      lagPositions: projection.lag,
      ...(await lagOf(context, projection.position, projection.lag)),
      lastEventAt: iso(projection.lastEventAt),
      updatedAt: iso(projection.updatedAt),
      eventsProcessed: projection.eventsProcessed,
      errorCount: projection.errorCount,
      lastError: projection.lastError,
      lastErrorAt: iso(projection.lastErrorAt),
      rebuild: rebuild ? { ...rebuild, updatedAt: iso(rebuild.updatedAt) } : null,
    });
  }
  const subscribers: SubscriberCheckpointReport[] = [];
  for (const subscriber of subscriberStatus.subscribers) {
    subscribers.push({
      name: subscriber.name,
      position: subscriber.position,
      lagPositions: subscriber.lag,
      ...(await lagOf(context, subscriber.position, subscriber.lag)),
      eventsHandled: subscriber.eventsHandled,
      eventsParked: subscriber.eventsParked,
      failedEvents: subscriber.failedEvents,
      owner: subscriber.owner,
      leaseUntil: iso(subscriber.leaseUntil),
      updatedAt: iso(subscriber.updatedAt),
    });
  }
  return { eventStore: context.store.kind, headPosition: engineStatus.headPosition, projections, subscribers };
}

const lagText = (report: { lagEvents: number; lagEventsCapped: boolean }): string => `${report.lagEventsCapped ? '>=' : ''}${report.lagEvents}`;

function renderReport(report: OperationsReport): string {
  const projections = renderTable(
    ['PROJECTION', 'POSITION', 'HEAD', 'LAG (EVENTS)', 'LAST EVENT AT', 'EVENTS', 'FAILURES', 'LAST ERROR', 'REBUILD'],
    report.projections.map((projection) => [
      projection.name,
      projection.position,
      report.headPosition,
      lagText(projection),
      projection.lastEventAt,
      projection.eventsProcessed,
      projection.errorCount,
      firstLine(projection.lastError, 60),
      projection.rebuild ? `interrupted at ${projection.rebuild.position}` : null,
    ]),
  );
  const subscribers = renderTable(
    ['SUBSCRIBER', 'POSITION', 'LAG (EVENTS)', 'HANDLED', 'FAILED EVENTS', 'PARKED (EVER)', 'OWNER'],
    report.subscribers.map((subscriber) => [
      subscriber.name,
      subscriber.position,
      lagText(subscriber),
      subscriber.eventsHandled,
      subscriber.failedEvents,
      subscriber.eventsParked,
      subscriber.owner,
    ]),
  );
  return `${projections}\n${subscribers}`;
}

async function withContext<T>(io: CliIo, work: (context: OperationsContext) => Promise<T>): Promise<T> {
  const context = await openOperationsContext(io);
  try {
    return await work(context);
  } finally {
    await context.close();
  }
}

export async function printStatus(io: CliIo, options: { json?: boolean }): Promise<void> {
  const report = await withContext(io, operationsReport);
  io.stdout(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
}

export interface RebuildCommandOptions {
  fresh?: boolean;
  json?: boolean;
  batchSize?: string;
  progressInterval?: string;
}

function positiveOption(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(Number.isSafeInteger(parsed) && parsed > 0)) throw new CliError(`${option} must be a positive integer`);
  return parsed;
}

export async function rebuild(io: CliIo, name: string, options: RebuildCommandOptions): Promise<void> {
  const batchSize = positiveOption(options.batchSize, '--batch-size');
  const progressIntervalMs = positiveOption(options.progressInterval, '--progress-interval');
  await withContext(io, async (context) => {
    const names = (await context.engine.status()).projections.map((projection) => projection.name);
    if (!names.includes(name)) throw new CliError(`unknown projection "${name}" (projections: ${names.join(', ')})`);
    const view = rebuildProgressView(io);
    // Written to the read-model database too: the service's operations endpoints and console show it.
    const recorder = new RebuildJobRecorder(new RebuildJobStore(context.readModel, context.engine), name, `command line on ${processName()}`, stderrLogger(io));
    let result: RebuildResult;
    try {
      result = await context.engine.rebuild(name, {
        fresh: options.fresh,
        signal: io.interrupt,
        onProgress: (progress) => {
          view.update(progress);
          recorder.report(progress);
        },
        ...(batchSize !== undefined ? { batchSize } : {}),
        ...(progressIntervalMs !== undefined ? { progressIntervalMs } : {}),
      });
    } catch (error) {
      view.stop();
      const failure = io.interrupt?.aborted
        ? new CliError(`rebuild of "${name}" interrupted; run the command again to resume it (or add --fresh to start over)`)
        : error instanceof RebuildInProgressError
          ? new CliError(`${error.message}: another process is rebuilding "${name}"`)
          : error;
      await recorder.failed(failure instanceof Error ? failure.message : String(failure));
      throw failure;
    }
    await recorder.succeeded(result.position);
    view.stop();
    if (options.json) io.stdout(`${JSON.stringify(result)}\n`);
    else {
      const resumed = result.resumedFrom > 0 ? `, resumed from position ${result.resumedFrom}` : '';
      io.stdout(`rebuilt ${result.projection}: ${result.eventsReduced} events reduced, now at position ${result.position}${resumed}, in ${(result.durationMs / 1000).toFixed(1)} s\n`);
    }
  });
}
