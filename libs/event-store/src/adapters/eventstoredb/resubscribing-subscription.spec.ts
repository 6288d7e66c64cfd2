import { EventStoreUnavailableError } from '../../errors';
import type { StoredEvent } from '../../types';
import { backoffDelay, ResubscribingSubscription, type EventFeed, type OpenFeed, type ResubscribingSubscriptionOptions } from './resubscribing-subscription';

function stored(n: number, tenant = 't'): StoredEvent {
  return { id: `id-${n}`, stream: 's', type: 'e', revision: n, position: n * 10, data: { n }, metadata: {}, tenant, createdAt: new Date(0) };
}

interface ScriptedFeed {
  /** Events the feed yields, in order. */
  events: StoredEvent[];
  /** Thrown after the events (a dropped subscription); without it the feed stays open until closed. */
  dropWith?: Error;
}

/**
 * Opens the scripted feeds one after the other and records what was asked. `log` receives
 * `pull <n>` each time the runner takes an event, so tests can check when it reads.
 */
function scriptedFeeds(script: (ScriptedFeed | Error)[], log: string[] = []) {
  const opened: number[] = [];
  const closed: number[] = [];
  const open: OpenFeed = async (fromPosition) => {
    opened.push(fromPosition);
    const next = script.shift();
    if (!next) return new Promise<EventFeed>(() => undefined);
    if (next instanceof Error) throw next;
    const step: ScriptedFeed = next;
    const index = opened.length;
    let remaining = step.events.length;
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    async function* events(): AsyncGenerator<StoredEvent> {
      for (const event of step.events) {
        remaining -= 1;
        log.push(`pull ${event.data.n}`);
        yield event;
      }
      if (step.dropWith) throw step.dropWith;
      await stopped;
    }
    return {
      events: events(),
      get buffered() {
        return remaining;
      },
      close: async () => {
        closed.push(index);
        stop();
      },
    };
  };
  return { open, opened, closed };
}

const unavailable = () => new EventStoreUnavailableError('connection lost');

function options(overrides: Partial<ResubscribingSubscriptionOptions> = {}): ResubscribingSubscriptionOptions {
  return {
    fromPosition: 0,
    batchSize: 100,
    accept: () => true,
    retry: { minDelayMs: 5, maxDelayMs: 40, random: () => 1 },
    isRetryable: (error) => error instanceof EventStoreUnavailableError,
    ...overrides,
  };
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('ResubscribingSubscription', () => {
  const running: ResubscribingSubscription[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((subscription) => subscription.close()));
  });
  const start = (open: OpenFeed, handler: (events: StoredEvent[]) => unknown, opts: ResubscribingSubscriptionOptions) => {
    const subscription = new ResubscribingSubscription(open, async (events) => void (await handler(events)), opts);
    running.push(subscription);
    return subscription;
  };

  it('delivers what the feed has in batches of at most batchSize, in order, and moves its position after each', async () => {
    const feeds = scriptedFeeds([{ events: [1, 2, 3, 4, 5, 6, 7].map((n) => stored(n)) }]);
    const batches: number[][] = [];
    const positions: number[] = [];
    const subscription = start(
      feeds.open,
      (events) => {
        positions.push(subscription.position);
        batches.push(events.map((event) => event.data.n as number));
      },
      options({ batchSize: 3 }),
    );
    await waitFor(() => subscription.position === 71, 'the last event');
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    // The position moves only once the handler has taken a batch.
    expect(positions).toEqual([0, 31, 61]);
    expect(feeds.opened).toEqual([0]);
  });

  it('after a drop, resubscribes from the position after the last delivered event: no event twice, none skipped', async () => {
    const drops: number[] = [];
    const feeds = scriptedFeeds([
      { events: [1, 2, 3].map((n) => stored(n)), dropWith: unavailable() },
      // The new feed overlaps what was delivered (EventStoreDB restarts at a record boundary).
      { events: [2, 3, 4, 5].map((n) => stored(n)), dropWith: unavailable() },
      unavailable(),
      { events: [5, 6].map((n) => stored(n)) },
    ]);
    const received: number[] = [];
    const subscription = start(feeds.open, (events) => received.push(...events.map((event) => event.data.n as number)), {
      ...options({ fromPosition: 0 }),
      onDrop: (_error, delay) => drops.push(delay),
    });
    await waitFor(() => received.length >= 6, 'all events');
    expect(received).toEqual([1, 2, 3, 4, 5, 6]);
    expect(feeds.opened).toEqual([0, 31, 51, 51]);
    // A confirmed feed resets the back-off; consecutive failures double it.
    expect(drops).toEqual([5, 5, 10]);
    expect(subscription.position).toBe(61);
    // Every dropped feed was closed.
    expect(feeds.closed).toEqual([1, 2]);
  });

  it('backs off from the minimum, doubling up to the maximum, jittered down by at most half', () => {
    const policy = { minDelayMs: 100, maxDelayMs: 5000 };
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((attempt) => backoffDelay(attempt, { ...policy, random: () => 1 }))).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000]);
    expect([0, 1, 6].map((attempt) => backoffDelay(attempt, { ...policy, random: () => 0 }))).toEqual([50, 100, 2500]);
  });

  it('does not read the feed while the handler works on a batch', async () => {
    const log: string[] = [];
    const feeds = scriptedFeeds([{ events: [1, 2, 3, 4].map((n) => stored(n)) }], log);
    const subscription = start(
      feeds.open,
      async (events) => {
        log.push(`start ${String(events[0].data.n)}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
        log.push(`end ${String(events[events.length - 1].data.n)}`);
      },
      options({ batchSize: 2 }),
    );
    await waitFor(() => subscription.position === 41, 'the last event');
    expect(log).toEqual(['pull 1', 'pull 2', 'start 1', 'end 2', 'pull 3', 'pull 4', 'start 3', 'end 4']);
  });

  it('skips events the filter refuses, and still moves past them', async () => {
    const feeds = scriptedFeeds([{ events: [stored(1, 'a'), stored(2, 'b'), stored(3, 'a'), stored(4, 'b')] }]);
    const received: number[] = [];
    const subscription = start(feeds.open, (events) => received.push(...events.map((event) => event.data.n as number)), options({ accept: (event) => event.tenant === 'a' }));
    await waitFor(() => subscription.position === 41, 'the last event');
    expect(received).toEqual([1, 3]);
  });

  it('stops with the handler error, its position before the failed batch', async () => {
    const feeds = scriptedFeeds([{ events: [1, 2, 3].map((n) => stored(n)) }]);
    const failure = new Error('projection broke');
    const subscription = start(
      feeds.open,
      (events) => {
        if (events.some((event) => event.data.n === 3)) throw failure;
      },
      options({ batchSize: 2, fromPosition: 5 }),
    );
    await expect(subscription.done).rejects.toBe(failure);
    expect(subscription.position).toBe(21);
    expect(feeds.closed).toEqual([1]);
  });

  it('stops on an error that is not worth retrying', async () => {
    const fatal = new Error('invalid filter');
    const feeds = scriptedFeeds([fatal]);
    const subscription = start(feeds.open, () => undefined, options());
    await expect(subscription.done).rejects.toBe(fatal);
  });

  it('close() ends a waiting subscription promptly, also during a back-off, and calls the handler no more', async () => {
    const live = scriptedFeeds([{ events: [stored(1)] }]);
    const handled: number[] = [];
    const subscription = start(live.open, (events) => handled.push(events.length), options());
    await waitFor(() => handled.length === 1, 'the first batch');
    await subscription.close();
    await expect(subscription.done).resolves.toBeUndefined();
    expect(live.closed).toEqual([1]);
    expect(handled).toEqual([1]);

    const failing = scriptedFeeds([unavailable()]);
    const backingOff = start(failing.open, () => undefined, options({ retry: { minDelayMs: 60_000, maxDelayMs: 60_000 } }));
    await waitFor(() => failing.opened.length === 1, 'the failed attempt');
    const before = Date.now();
    await backingOff.close();
    expect(Date.now() - before).toBeLessThan(1000);
    expect(failing.opened).toHaveLength(1);
  });
});
