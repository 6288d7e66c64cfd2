import type { EventStore } from '@app/event-store';
import type { ProjectionStatus } from '@app/eventsourcing';
import { countEventsAfter } from '../persistence/log-lag';

export interface LagBound {
  /** Events a projection may trail the log by. */
  maxLagEvents: number;
  /** A projection seen caught up this recently is ready whatever its lag (a burst of writes). */
  caughtUpWithinMs: number;
}

export interface ProjectionReadiness {
  ready: boolean;
  position: number;
  /** Head position minus checkpoint. */
  lagPositions: number;
  /** Events behind, counted up to maxLagEvents + 1; omitted when the position lag already settles it. */
  lagEvents?: number;
  lastEventAt: string | null;
  lastError: string | null;
  errorCount: number;
}

/**
 * Judges whether each projection is close enough to the log for reads to be useful. Remembers
 * when each was last seen caught up, so a short burst of writes does not flap readiness.
 */
export class ProjectionReadinessJudge {
  private readonly caughtUpAt = new Map<string, number>();

  constructor(
    private readonly bound: LagBound,
    private readonly now: () => number = Date.now,
  ) {}

  async judge(store: EventStore, projections: readonly ProjectionStatus[]): Promise<Record<string, ProjectionReadiness>> {
    const verdicts: Record<string, ProjectionReadiness> = {};
    for (const projection of projections) verdicts[projection.name] = await this.judgeOne(store, projection);
    return verdicts;
  }

  private async judgeOne(store: EventStore, projection: ProjectionStatus): Promise<ProjectionReadiness> {
    const base = {
      position: projection.position,
      lagPositions: projection.lag,
      lastEventAt: projection.lastEventAt?.toISOString() ?? null,
      lastError: projection.lastError,
      errorCount: projection.errorCount,
    };
    const now = this.now();
    if (projection.lag === 0) {
      this.caughtUpAt.set(projection.name, now);
      return { ready: true, ...base, lagEvents: 0 };
    }
    // Positions are never denser than events, so a position lag within the bound settles it.
    if (projection.lag <= this.bound.maxLagEvents) return { ready: true, ...base };
    const lagEvents = await countEventsAfter(store, projection.position, this.bound.maxLagEvents + 1);
    const recentlyCaughtUp = now - (this.caughtUpAt.get(projection.name) ?? Number.NEGATIVE_INFINITY) <= this.bound.caughtUpWithinMs;
    return { ready: lagEvents <= this.bound.maxLagEvents || recentlyCaughtUp, ...base, lagEvents };
  }
}
