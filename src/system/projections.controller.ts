import { Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import type { EventStore } from '@app/event-store';
import { ProjectionEngine } from '@app/eventsourcing/projections/projection-engine';
import { RequirePermission } from '../auth';
import { storeUnavailable } from '../common/errors/http-error-ids';
import { lagInEvents } from '../persistence/log-lag';
import { EVENT_STORE } from '../persistence/persistence.tokens';
import { SERVICE_PROJECTIONS } from '../persistence/service-projections';
import { ProjectionRebuilds } from './projection-rebuilds';
import { noRebuild, rebuildRunning, unknownProjection } from './system-errors';
import type { ProjectionList, ProjectionView, RebuildJob } from './system-views';

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

/** `/system/v1/projections`: every projection's checkpoint, lag and status, and rebuilds. */
@Controller('system/v1/projections')
export class ProjectionsController {
  constructor(
    private readonly engine: ProjectionEngine,
    private readonly rebuilds: ProjectionRebuilds,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get()
  @RequirePermission('system.projections.read')
  async list(): Promise<ProjectionList> {
    const status = await this.engine.status().catch(unavailable);
    const projections = await Promise.all(
      status.projections.map(async (projection): Promise<ProjectionView> => {
        const rebuild = (await this.rebuilds.latest(projection.name).catch(unavailable)) ?? null;
        return {
          name: projection.name,
          position: projection.position,
          lagEvents: await lagInEvents(this.store, projection.position, projection.lag),
          status: rebuild?.state === 'running' ? 'rebuilding' : projection.errorCount > 0 ? 'failing' : 'live',
          eventsProcessed: projection.eventsProcessed,
          lastEventAt: iso(projection.lastEventAt),
          lastError: projection.lastError,
          rebuild,
        };
      }),
    );
    return { headPosition: status.headPosition, projections };
  }

  /** Starts a rebuild in the background (202); its progress is read from the GET beside it. */
  @Post(':name/rebuild')
  @HttpCode(202)
  @RequirePermission('system.projections.rebuild')
  async rebuild(@Param('name') name: string): Promise<RebuildJob> {
    checkProjection(name);
    const job = await this.rebuilds.start(name).catch(unavailable);
    if (job === undefined) throw rebuildRunning(name);
    return job;
  }

  @Get(':name/rebuild')
  @RequirePermission('system.projections.read')
  async progress(@Param('name') name: string): Promise<RebuildJob> {
    checkProjection(name);
    const job = await this.rebuilds.latest(name).catch(unavailable);
    if (job === undefined) throw noRebuild(name);
    return job;
  }
}

/** The read-model database could not be read or written: 503, as the other reads answer. */
function unavailable(error: unknown): never {
  throw storeUnavailable(error);
}

function checkProjection(name: string): void {
  const known = SERVICE_PROJECTIONS.map((projection) => projection.name);
  if (!known.includes(name)) throw unknownProjection(name, known);
}
