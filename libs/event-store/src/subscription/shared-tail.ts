import { performance } from 'node:perf_hooks';
import { eventMatches, normalizeFilter } from '../contract/filter-rules';
import type { EventFilter, StoredEvent } from '../types';
import type { ChangeSignal } from './change-signal';
import type { FeedPage } from './live-subscription';

export interface SharedTailOptions {
  /** The store's own page read (gap-safe, as subscriptions need it). */
  readPage(fromPosition: number, maxCount: number, filter: EventFilter | undefined): Promise<FeedPage>;
  /** Notified after appends; a window read before the latest notification is read again. */
  changes: ChangeSignal;
  /** Events one read of the log's end asks for. Default 1,000. */
  pageSize?: number;
  /** Most events the window keeps; older ones are read from the store again. Default {@link TAIL_CAPACITY}. */
  capacity?: number;
  /** Longest a window is served without a notification. Default {@link TAIL_MAX_AGE_MS}. */
  maxAgeMs?: number;
}

/**
 * Events a window keeps. Readers at the log's end need only the latest reads; a longer window
 * keeps events alive past the young generation, and the collector's cost of that (measured)
 * outweighs reading for the rare reader further behind, which reads from the store.
 */
export const TAIL_CAPACITY = 256;
/**
 * A window is served without a notification for this long at most, so an idle subscription's
 * safety-net re-check (seconds) is a read of the store, as it must be to notice a lost one.
 */
export const TAIL_MAX_AGE_MS = 250;

/** Log entries one page served from the window looks at, at most (like a filtered store read). */
const SCAN_LIMIT = 4096;

/**
 * The end of the log, read once for every subscription of the process. After an append each
 * subscription would read the log's end with its own statement; through this window the first
 * reads every new event once (no filter) and the others take their matches from memory.
 *
 * The window holds every readable event in [start, end). A page is served from it only when
 * the window was read after the last notification the caller may have seen (its read started
 * at a change-signal version at least the caller's), and only for as long as the store's page
 * allows (`recheckAfterMs` of a page with events held back, else `maxAgeMs`). Readers behind
 * the window (catching up) read from the store as before.
 */
export class SharedTail {
  private window: TailWindow | undefined;
  private extending: Promise<void> | undefined;
  private readonly options: Required<SharedTailOptions>;

  constructor(options: SharedTailOptions) {
    this.options = { pageSize: 1000, capacity: TAIL_CAPACITY, maxAgeMs: TAIL_MAX_AGE_MS, ...options };
  }

  readonly readPage = async (fromPosition: number, maxCount: number, filter: EventFilter | undefined): Promise<FeedPage> => {
    const wanted = this.options.changes.version;
    const since = performance.now();
    const window = this.window;
    if (!window || fromPosition < window.start || fromPosition > window.end) return this.readDirect(fromPosition, maxCount, filter);
    const matcher = normalizeFilter(filter);
    const events: StoredEvent[] = [];
    let scanned = 0;
    let index = window.indexOf(fromPosition);
    for (;;) {
      for (; index < window.events.length; index += 1) {
        const event = window.events[index];
        scanned += 1;
        if (!eventMatches(matcher, event)) continue;
        events.push(event);
        if (events.length >= maxCount) return { events, nextPosition: event.position + 1, isEnd: false };
      }
      if (!window.isFresh(wanted, since) || !window.isEnd) {
        if (scanned >= SCAN_LIMIT) return { events, nextPosition: window.end, isEnd: false };
        // Extending the window may trim its front: resume from where this page stands.
        const resumeAt = window.end;
        await this.extend();
        if (this.window !== window || resumeAt < window.start) return this.readDirect(resumeAt, maxCount - events.length, filter, events);
        index = window.indexOf(resumeAt);
        continue;
      }
      return { events, nextPosition: window.end, isEnd: true, ...(window.recheckAfterMs !== undefined ? { recheckAfterMs: window.recheckAfterMs } : {}) };
    }
  };

  /**
   * Reads on from the window's end, or waits for the read under way: readers asking together
   * share one read (the caller checks again whether it is recent enough for it).
   */
  private async extend(): Promise<void> {
    if (this.extending) return this.extending;
    const window = this.window;
    if (!window) return;
    const version = this.options.changes.version;
    const readAt = performance.now();
    // Started in a microtask, so `extending` is set before the read can settle.
    const read = Promise.resolve().then(async () => {
      try {
        window.take(await this.options.readPage(window.end, this.options.pageSize, undefined), version, readAt, this.options);
      } catch {
        // The window may have missed events: its readers go back to the store.
        if (this.window === window) this.window = undefined;
      } finally {
        this.extending = undefined;
      }
    });
    this.extending = read;
    return read;
  }

  /** A read of the store; one that reaches the log's end places the window there. */
  private async readDirect(fromPosition: number, maxCount: number, filter: EventFilter | undefined, before: StoredEvent[] = []): Promise<FeedPage> {
    const version = this.options.changes.version;
    const readAt = performance.now();
    const page = await this.options.readPage(fromPosition, maxCount, filter);
    if (page.isEnd && (!this.window || this.window.end < page.nextPosition)) {
      this.window = new TailWindow(page.nextPosition, version, readAt, page.recheckAfterMs, this.options.maxAgeMs);
    }
    return before.length === 0 ? page : { ...page, events: [...before, ...page.events] };
  }
}

/** A stretch of the log read in order: every readable event in [start, end). */
class TailWindow {
  readonly events: StoredEvent[] = [];
  start: number;
  isEnd = true;
  private ttl: number;

  constructor(
    public end: number,
    private version: number,
    private readAt: number,
    public recheckAfterMs: number | undefined,
    maxAgeMs: number,
  ) {
    this.start = end;
    this.ttl = Math.min(recheckAfterMs ?? maxAgeMs, maxAgeMs);
  }

  /**
   * Read after every notification up to `wanted`, and either read after `since` (as recent as
   * a read of the caller's own) or not yet due for a re-check.
   */
  isFresh(wanted: number, since: number): boolean {
    return this.version >= wanted && (this.readAt >= since || performance.now() < this.readAt + this.ttl);
  }

  /** Index of the first event at or after `position` (binary search: positions increase). */
  indexOf(position: number): number {
    let low = 0;
    let high = this.events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.events[middle].position < position) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  take(page: FeedPage, version: number, readAt: number, options: { capacity: number; maxAgeMs: number }): void {
    this.events.push(...page.events);
    this.end = Math.max(this.end, page.nextPosition);
    this.isEnd = page.isEnd;
    this.recheckAfterMs = page.recheckAfterMs;
    this.version = version;
    this.readAt = readAt;
    this.ttl = Math.min(page.recheckAfterMs ?? options.maxAgeMs, options.maxAgeMs);
    const excess = this.events.length - options.capacity;
    if (excess > 0) {
      this.start = this.events[excess - 1].position + 1;
      this.events.splice(0, excess);
    }
  }
}
