import type { ProjectionLogger } from '@app/eventsourcing';

/**
 * Starts a component (projection engine, subscribers) without letting a store that is down at
 * start crash the service: a failed start is logged and retried with backoff until it works or
 * {@link stop} is called. The service meanwhile serves, reports not-ready and answers 503.
 */
export class BackgroundStart {
  private timer: NodeJS.Timeout | undefined;
  private attempt: Promise<void> | undefined;
  private stopped = false;
  private started = false;
  private failures = 0;

  constructor(
    private readonly name: string,
    private readonly start: () => Promise<void>,
    private readonly logger: ProjectionLogger,
    private readonly retryDelay: { initialMs: number; maxMs: number } = { initialMs: 500, maxMs: 30_000 },
  ) {}

  /** True once a start has succeeded. */
  get isStarted(): boolean {
    return this.started;
  }

  /** Resolves after the first attempt (succeeded or scheduled for retry). */
  begin(): Promise<void> {
    this.stopped = false;
    return this.tryStart();
  }

  /** Cancels pending retries and waits for an attempt in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.attempt;
  }

  private tryStart(): Promise<void> {
    this.attempt = this.start().then(
      () => {
        this.started = true;
        if (this.failures > 0) this.logger.info(`${this.name} started after ${this.failures} failed attempt(s)`);
        this.failures = 0;
      },
      (error: unknown) => {
        this.failures += 1;
        const delayMs = Math.min(this.retryDelay.maxMs, this.retryDelay.initialMs * 2 ** (this.failures - 1));
        this.logger.warn(`${this.name} could not start; retrying`, { error: error instanceof Error ? error.message : String(error), retryInMs: delayMs });
        if (this.stopped) return;
        this.timer = setTimeout(() => void this.tryStart(), delayMs);
      },
    );
    return this.attempt;
  }
}
