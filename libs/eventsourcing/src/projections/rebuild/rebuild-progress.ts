export type RebuildPhase = 'replaying' | 'switching' | 'done';

/**
 * Where a rebuild stands, in events of the projection's types: `total` is how many the log held
 * when the rebuild started, `done` how many the rebuild has reduced (earlier interrupted runs
 * included), capped at `total` (events appended during the rebuild are caught up too, but do
 * not move the goal). Never log positions: PostgreSQL's are sparse (transaction id x 65,536).
 */
export interface RebuildProgress {
  projection: string;
  phase: RebuildPhase;
  done: number;
  total: number;
  /** Events of the projection's types reduced into the fresh tables, earlier interrupted runs included. */
  eventsReduced: number;
  /** Events reduced per second by this call (0 before the first batch). */
  eventsPerSecond: number;
  /** Time left at this call's pace through the log; null until it has moved, 0 once done. */
  etaSeconds: number | null;
}

export interface ProgressMeterOptions {
  projection: string;
  /** Events of the projection's types in the log when the rebuild started. */
  totalEvents: number;
  /** Events the rebuild had reduced when this call started (a resumed rebuild). */
  eventsReduced: number;
  intervalMs: number;
  onProgress?: (progress: RebuildProgress) => void;
  now?: () => number;
}

/** Turns batches into progress reports: on every phase change, and at most every `intervalMs` in between. */
export class RebuildProgressMeter {
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly startDone: number;
  private readonly startEvents: number;
  private lastReportAt = Number.NEGATIVE_INFINITY;
  private phase: RebuildPhase = 'replaying';
  private eventsReduced: number;

  constructor(private readonly options: ProgressMeterOptions) {
    this.now = options.now ?? (() => performance.now());
    this.startedAt = this.now();
    this.eventsReduced = options.eventsReduced;
    this.startDone = this.done();
    this.startEvents = options.eventsReduced;
  }

  get total(): number {
    return Math.max(0, this.options.totalEvents);
  }

  /** A committed rebuild batch. */
  advance(events: number): void {
    this.eventsReduced += events;
    if (this.now() - this.lastReportAt >= this.options.intervalMs) this.report();
  }

  enter(phase: RebuildPhase): void {
    this.phase = phase;
    this.report();
  }

  snapshot(): RebuildProgress {
    const elapsedSeconds = (this.now() - this.startedAt) / 1000;
    const done = this.phase === 'done' ? this.total : this.done();
    const covered = done - this.startDone;
    let etaSeconds: number | null = null;
    if (done >= this.total) etaSeconds = 0;
    else if (covered > 0 && elapsedSeconds > 0) etaSeconds = Math.ceil((this.total - done) / (covered / elapsedSeconds));
    return {
      projection: this.options.projection,
      phase: this.phase,
      done,
      total: this.total,
      eventsReduced: this.eventsReduced,
      eventsPerSecond: elapsedSeconds > 0 ? Math.round((this.eventsReduced - this.startEvents) / elapsedSeconds) : 0,
      etaSeconds,
    };
  }

  private done(): number {
    return Math.min(this.total, this.eventsReduced);
  }

  private report(): void {
    this.lastReportAt = this.now();
    this.options.onProgress?.(this.snapshot());
  }
}
