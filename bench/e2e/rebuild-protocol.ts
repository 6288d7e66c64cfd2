import type { StoreKind } from '../support/storage';

/** Where the rebuild worker finds the service's stores (as the service would, from its settings). */
export interface RebuildPlan {
  kind: StoreKind;
  dataDir: string;
  databaseUrl?: string;
  /** Events in the log (known from seeding it). */
  logEvents: number;
}

export interface ProjectionRebuildFigures {
  projection: string;
  seconds: number;
  eventsReduced: number;
  /** Log events replayed (scanned, of every type) per second. */
  logEventsPerSecond: number;
  switchMs: number;
}

export interface RebuildFigures {
  /** Events in the log. */
  logEvents: number;
  projections: ProjectionRebuildFigures[];
  totalSeconds: number;
  /** Log events per second over all projections: the log is replayed once per projection. */
  logEventsPerSecond: number;
  /** Peak resident memory of the rebuilding process (kernel high-water mark). */
  peakRssBytes: number;
  /** Largest V8 heap seen by 100 ms sampling. */
  peakHeapUsedBytes: number;
}
