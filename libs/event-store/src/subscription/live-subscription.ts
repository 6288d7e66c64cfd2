import { EventStoreUnavailableError } from '../errors';
import type { EventFilter, ReadAllResult, Subscription, SubscriptionHandler } from '../types';
import type { ChangeSignal, ChangeWatch } from './change-signal';

/** One page of the log as a subscription sees it. */
export interface FeedPage extends ReadAllResult {
  /**
   * Set when the page reached the readable end but the store knows of committed events it
   * cannot hand out yet (held behind an older open transaction): read again after this long
   * even if no notification arrives.
   */
  recheckAfterMs?: number;
}

/** What a store provides to run subscriptions on top of its reads. */
export interface SubscriptionFeed {
  readPage(fromPosition: number, maxCount: number, filter: EventFilter | undefined): Promise<FeedPage>;
  /** Notified after appends (in this process and, where the adapter can, in others). */
  readonly changes: ChangeSignal;
}

export interface LiveSubscriptionOptions {
  fromPosition: number;
  batchSize: number;
  filter?: EventFilter;
  /** Longest idle wait before reading again without any notification (a safety net). */
  idleRecheckMs: number;
  /** Back-off after a failed read: starts at `min`, doubles up to `max`. */
  retryBackoffMs?: { min: number; max: number };
  /** Errors thrown by reads that are worth retrying; others stop the subscription. */
  isTransient?: (error: unknown) => boolean;
  /** Told about read failures that will be retried (for logs). */
  onTransientError?: (error: unknown) => void;
  /** Called once when the subscription has stopped (closed or failed). */
  onStopped?: () => void;
}

const defaultIsTransient = (error: unknown): boolean => error instanceof EventStoreUnavailableError;

/**
 * Catch-up then live delivery over any store that can read pages of the global log: pages
 * are read from the subscription's position and handed to the handler one at a time (the
 * handler's promise is awaited before the next read), and at the end of the log it waits
 * for a change notification. Delivery order is the log's order; the position only moves
 * after the handler accepted a page, so nothing is skipped or delivered twice.
 */
export class LiveSubscription implements Subscription {
  readonly done: Promise<void>;
  private current: number;
  private readonly stopController = new AbortController();
  /** A subscription of one tenant's events is woken only by that tenant's appends. */
  private readonly changes: ChangeWatch & { release?(): void };

  constructor(
    private readonly feed: SubscriptionFeed,
    private readonly handler: SubscriptionHandler,
    private readonly options: LiveSubscriptionOptions,
  ) {
    this.current = options.fromPosition;
    const tenant = options.filter?.tenant;
    this.changes = tenant !== undefined ? feed.changes.watchTenant(tenant) : feed.changes;
    this.done = this.run().finally(() => {
      this.changes.release?.();
      options.onStopped?.();
    });
    // Callers that only use close() must not get an unhandled rejection; `done` still rejects.
    this.done.catch(() => undefined);
  }

  get position(): number {
    return this.current;
  }

  async close(): Promise<void> {
    this.stopController.abort();
    await this.done.catch(() => undefined);
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async run(): Promise<void> {
    const { batchSize, filter, idleRecheckMs } = this.options;
    const backoff = this.options.retryBackoffMs ?? { min: 100, max: 5_000 };
    const isTransient = this.options.isTransient ?? defaultIsTransient;
    let delay = backoff.min;
    while (!this.stopped) {
      const versionBeforeRead = this.changes.version;
      let page: FeedPage;
      try {
        page = await this.feed.readPage(this.current, batchSize, filter);
        delay = backoff.min;
      } catch (error) {
        if (this.stopped) return;
        if (!isTransient(error)) throw error;
        this.options.onTransientError?.(error);
        await sleep(delay, this.stopController.signal);
        delay = Math.min(delay * 2, backoff.max);
        continue;
      }
      // A page read while close() was called is dropped: position stays before it.
      if (this.stopped) return;
      if (page.events.length > 0) await this.handler(page.events);
      this.current = Math.max(this.current, page.nextPosition);
      if (page.isEnd && !this.stopped) {
        const wait = Math.min(page.recheckAfterMs ?? idleRecheckMs, idleRecheckMs);
        await this.changes.wait(versionBeforeRead, wait, this.stopController.signal);
      }
    }
  }
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
