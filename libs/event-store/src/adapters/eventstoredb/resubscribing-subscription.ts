import type { StoredEvent, Subscription, SubscriptionHandler } from '../../types';

/** A live source of events in `$all` order, opened at a position. */
export interface EventFeed {
  /** Events at or after the position the feed was opened at (earlier ones are dropped here). */
  readonly events: AsyncIterable<StoredEvent>;
  /** Events received and not yet taken from `events`. */
  readonly buffered: number;
  close(): Promise<void>;
}

/** Opens a feed that delivers the events with position >= `fromPosition`; resolves once the server confirmed it. */
export type OpenFeed = (fromPosition: number, signal: AbortSignal) => Promise<EventFeed>;

export interface RetryPolicy {
  /** First wait after a drop. */
  minDelayMs: number;
  /** Longest wait; the delay doubles up to it. */
  maxDelayMs: number;
  /** Source of jitter in [0, 1); injectable for tests. */
  random?: () => number;
}

export interface ResubscribingSubscriptionOptions {
  fromPosition: number;
  batchSize: number;
  /** Events the handler should see (others are skipped, the position moves past them). */
  accept: (event: StoredEvent) => boolean;
  retry: RetryPolicy;
  /** Drops worth resubscribing after; other errors stop the subscription. */
  isRetryable: (error: unknown) => boolean;
  /** Told about every drop before the wait (for logs and metrics). */
  onDrop?: (error: unknown, delayMs: number) => void;
  /** Called once when the subscription has stopped. */
  onStopped?: () => void;
}

/** Wraps a handler failure so it is told apart from a dropped feed. */
class HandlerFailed {
  constructor(readonly error: unknown) {}
}

/**
 * A subscription that survives dropped connections: on a drop it waits (100 ms doubling to
 * 5 s by default, jittered) and opens a new feed from the position after the last event the
 * handler accepted, dropping anything older the new feed repeats. Events reach the handler
 * in batches, in order, one batch at a time: the feed is not read while the handler works, so
 * a slow handler holds the server back instead of filling memory.
 */
export class ResubscribingSubscription implements Subscription {
  readonly done: Promise<void>;
  private current: number;
  private feed: EventFeed | undefined;
  private readonly stopController = new AbortController();

  constructor(
    private readonly openFeed: OpenFeed,
    private readonly handler: SubscriptionHandler,
    private readonly options: ResubscribingSubscriptionOptions,
  ) {
    this.current = Math.max(0, options.fromPosition);
    this.done = this.run().finally(() => options.onStopped?.());
    // Callers that only use close() must not get an unhandled rejection; `done` still rejects.
    this.done.catch(() => undefined);
  }

  get position(): number {
    return this.current;
  }

  async close(): Promise<void> {
    this.stopController.abort();
    // Ends a feed the runner is waiting on; the runner then finds nothing left to close.
    const feed = this.feed;
    this.feed = undefined;
    await feed?.close().catch(() => undefined);
    await this.done.catch(() => undefined);
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      let dropped: unknown;
      try {
        this.feed = await this.openFeed(this.current, this.stopController.signal);
        if (this.stopped) return;
        attempt = 0;
        await this.pump(this.feed);
        if (this.stopped) return;
        dropped = new Error('The subscription ended without being closed');
      } catch (error) {
        if (error instanceof HandlerFailed) throw error.error;
        if (this.stopped) return;
        if (!this.options.isRetryable(error)) throw error;
        dropped = error;
      } finally {
        const feed = this.feed;
        this.feed = undefined;
        await feed?.close().catch(() => undefined);
      }
      const wait = backoffDelay(attempt, this.options.retry);
      attempt += 1;
      this.options.onDrop?.(dropped, wait);
      await sleep(wait, this.stopController.signal);
    }
  }

  /** Reads the feed until it ends, delivering batches; returns when stopped. */
  private async pump(feed: EventFeed): Promise<void> {
    const { batchSize, accept } = this.options;
    let batch: StoredEvent[] = [];
    // Position after the last event taken from the feed; moves to `current` once delivered.
    let scanned = this.current;
    for await (const event of feed.events) {
      if (this.stopped) return;
      if (event.position < scanned) continue;
      scanned = event.position + 1;
      if (accept(event)) batch.push(event);
      if (batch.length > 0 && (batch.length >= batchSize || feed.buffered === 0)) {
        await this.deliver(batch);
        batch = [];
      }
      if (batch.length === 0) this.current = scanned;
    }
  }

  private async deliver(batch: StoredEvent[]): Promise<void> {
    try {
      await this.handler(batch);
    } catch (error) {
      throw new HandlerFailed(error);
    }
  }
}

/** `min * 2^attempt` capped at `max`, then jittered down by up to half so clients spread out. */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** Math.min(attempt, 30));
  const random = policy.random ?? Math.random;
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

function sleep(ms: number, abort: AbortSignal): Promise<void> {
  if (abort.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      abort.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    abort.addEventListener('abort', done, { once: true });
  });
}
