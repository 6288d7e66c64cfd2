export type RebuildPhase = 'replaying' | 'switching' | 'done';

/**
 * Where a rebuild stands. `done` and `total` are *log positions* counted from the log's first
 * event (not event counts): `total` is the head position when the rebuild started, `done` the
 * rebuild's checkpoint, capped at `total` (events appended during the rebuild are caught up
 * too, but do not move the goal). On SQLite positions are dense, so they count the log's
 * events of every type; on PostgreSQL positions are sparse, so read them as a fraction only.
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
  /** Position just before the log's first event. */
  origin: number;
  /** Head position when the rebuild started. */
  head: number;
  /** The rebuild's checkpoint and reduced-event count when this call started. */
  checkpoint: number;
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
  private checkpoint: number;
  private eventsReduced: number;

  constructor(private readonly options: ProgressMeterOptions) {
    this.now = options.now ?? (() => performance.now());
    this.startedAt = this.now();
    this.checkpoint = options.checkpoint;
    this.eventsReduced = options.eventsReduced;
    this.startDone = this.done();
    this.startEvents = options.eventsReduced;
  }

  get total(): number {
    return Math.max(0, this.options.head - this.options.origin);
  }

  /** A committed rebuild batch. */
  advance(position: number, events: number): void {
    this.checkpoint = Math.max(this.checkpoint, position);
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
    return Math.min(this.total, Math.max(0, this.checkpoint - this.options.origin));
  }

  private report(): void {
    this.lastReportAt = this.now();
    this.options.onProgress?.(this.snapshot());
  }
}
