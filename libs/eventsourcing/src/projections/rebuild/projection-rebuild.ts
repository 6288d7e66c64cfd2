import type { EventStore } from '@app/event-store';
import type { DataSource } from 'typeorm';
import { dialectOf, stateTablePath, type DatabaseDialect } from '../database-dialect';
import { RebuildSwitchError } from '../errors';
import type { ProjectionLogger } from '../logger';
import type { Projection } from '../projection';
import { insertMissingStates, ProjectionRunner } from '../projection-runner';
import { ProjectionStateEntity } from '../projection-state.entity';
import { synchronizeEntities } from '../schema-sync';
import { PostgresRebuildNamespace } from './postgres-rebuild-namespace';
import type { RebuildNamespace } from './rebuild-namespace';
import { countEvents } from '../../log/count-events';
import { RebuildProgressMeter, type RebuildProgress } from './rebuild-progress';
import { SqliteRebuildNamespace } from './sqlite-rebuild-namespace';

/**
 * How long a switch may hold the live checkpoint while the rebuild reduces the events that
 * came in since its replay ended (a few batches at most; live batches wait meanwhile).
 */
const SWITCH_CATCH_UP_TIMEOUT_MS = 30_000;

export interface RebuildOptions {
  /** Discard a rebuild left by an interrupted call and start from position 0. Default false (resume). */
  fresh?: boolean;
  /** Stops the replay between two batches (the call rejects with the signal's reason); the next call resumes. */
  signal?: AbortSignal;
  onProgress?: (progress: RebuildProgress) => void;
  /** Least time between two progress reports while replaying. Default 1000 ms. */
  progressIntervalMs?: number;
  /** Events per replay transaction. Default: the engine's batch size. */
  batchSize?: number;
  /** Switch attempts before giving up when the live projection keeps moving ahead. Default 10. */
  maxSwitchAttempts?: number;
}

export interface RebuildResult {
  projection: string;
  /** The live checkpoint right after the switch. */
  position: number;
  /** Events reduced into the rebuilt tables, earlier interrupted runs included. */
  eventsReduced: number;
  /** The rebuild's checkpoint when the call started: 0 when it started from scratch. */
  resumedFrom: number;
  switchAttempts: number;
  /** How long the successful switch transaction took (the live projection waited that long). */
  switchMs: number;
  durationMs: number;
}

/** A rebuild in progress (or left by an interrupted call), as stored in its namespace. */
export interface RebuildInfo {
  projection: string;
  /** Schema name (PostgreSQL) or file path (SQLite) of the fresh tables. */
  location: string;
  position: number;
  eventsReduced: number;
  updatedAt: Date | null;
}

export interface RebuildContext {
  store: EventStore;
  live: DataSource;
  liveDialect: DatabaseDialect;
  logger: ProjectionLogger;
  batchSize: number;
  retryDelay: { initialMs: number; maxMs: number };
  sqliteLockWaitMs: number;
}

/**
 * Replays the whole log into fresh tables of one projection beside the live ones, then swaps
 * them in with one transaction on the live database (see README.md, "Rebuilding a projection").
 */
export class ProjectionRebuild {
  constructor(
    private readonly projection: Projection,
    private readonly context: RebuildContext,
  ) {}

  async run(options: RebuildOptions = {}): Promise<RebuildResult> {
    const startedAt = performance.now();
    const { projection, context } = this;
    const namespace = await this.namespace();
    const release = await namespace.lock();
    let rebuild: DataSource | undefined;
    try {
      if (options.fresh) await namespace.drop();
      options.signal?.throwIfAborted();
      const entities = [ProjectionStateEntity, ...new Set(projection.entities)];
      rebuild = await namespace.open(entities);
      const dialect = dialectOf(rebuild, { sqliteLockWaitMs: context.sqliteLockWaitMs });
      await synchronizeEntities(rebuild, entities);
      const stateTable = stateTablePath(rebuild);
      await dialect.transaction(rebuild, stateTable, (manager) => insertMissingStates(manager, [projection.name]));
      const start = await rebuild.getRepository(ProjectionStateEntity).findOneByOrFail({ name: projection.name });

      const head = await context.store.headPosition();
      const meter = new RebuildProgressMeter({
        projection: projection.name,
        totalEvents: await countEvents(context.store, { after: 0, upTo: head, filter: { types: projection.eventTypes } }),
        eventsReduced: start.eventsProcessed,
        intervalMs: options.progressIntervalMs ?? 1000,
        onProgress: options.onProgress,
      });
      const runner = new ProjectionRunner(projection, {
        store: context.store,
        dataSource: rebuild,
        dialect,
        logger: context.logger,
        batchSize: options.batchSize ?? context.batchSize,
        retryDelay: context.retryDelay,
        observer: { onBatch: (batch) => meter.advance(batch.events) },
      });
      runner.adoptPosition(start.position);
      context.logger.info('Projection rebuild started', { projection: projection.name, location: namespace.location, resumedFrom: start.position, head });

      const replay = async () => {
        meter.enter('replaying');
        await runner.drain(() => !options.signal?.aborted);
        options.signal?.throwIfAborted();
      };
      await replay();
      const maxAttempts = Math.max(1, options.maxSwitchAttempts ?? 10);
      for (let attempt = 1; ; attempt += 1) {
        options.signal?.throwIfAborted();
        meter.enter('switching');
        const switchStarted = performance.now();
        const outcome = await namespace.switchOver({
          live: context.live,
          liveDialect: context.liveDialect,
          projection,
          rebuild,
          catchUp: (livePosition) => runner.reach(livePosition, SWITCH_CATCH_UP_TIMEOUT_MS),
        });
        const switchMs = Math.round(performance.now() - switchStarted);
        if (outcome.switched) {
          await rebuild.destroy();
          rebuild = undefined;
          await namespace.drop();
          meter.enter('done');
          const result = {
            projection: projection.name,
            position: outcome.position,
            eventsReduced: outcome.eventsProcessed,
            resumedFrom: start.position,
            switchAttempts: attempt,
            switchMs,
            durationMs: Math.round(performance.now() - startedAt),
          };
          context.logger.info('Projection rebuilt and switched over', { ...result });
          return result;
        }
        if (attempt >= maxAttempts) throw new RebuildSwitchError(projection.name, attempt);
        // The live projection moved on since the replay ended: catch up and try again.
        await replay();
      }
    } finally {
      if (rebuild?.isInitialized) await rebuild.destroy();
      await release();
    }
  }

  /** The rebuild left in the namespace (interrupted, or running elsewhere), or null. */
  async info(): Promise<RebuildInfo | null> {
    const namespace = await this.namespace();
    const state = await namespace.readState(this.projection.name);
    if (!state) return null;
    return {
      projection: this.projection.name,
      location: namespace.location,
      position: state.position,
      eventsReduced: state.eventsProcessed,
      updatedAt: state.updatedAt,
    };
  }

  /** Drops a rebuild left by an interrupted call. Resolves to false when there was none. */
  async discard(): Promise<boolean> {
    const namespace = await this.namespace();
    const release = await namespace.lock();
    try {
      if (!(await namespace.exists())) return false;
      await namespace.drop();
      return true;
    } finally {
      await release();
    }
  }

  private async namespace(): Promise<RebuildNamespace> {
    const { live, liveDialect, sqliteLockWaitMs } = this.context;
    return liveDialect.kind === 'postgres'
      ? PostgresRebuildNamespace.create(live, this.projection.name)
      : SqliteRebuildNamespace.create(live, this.projection.name, { lockWaitMs: sqliteLockWaitMs });
  }
}
