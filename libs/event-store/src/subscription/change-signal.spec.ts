import { ChangeSignal } from './change-signal';
import type { EventFilter } from '../types';
import { LiveSubscription, type FeedPage } from './live-subscription';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('ChangeSignal', () => {
  it('wakes a waiter after a notification, and never misses one that came before the wait', async () => {
    const signal = new ChangeSignal();
    const before = signal.version;
    const woken = signal.wait(before, 60_000);
    signal.notify();
    await expect(woken).resolves.toBeUndefined();
    // A reader that noted the version before the notification does not wait at all.
    signal.notify();
    await expect(signal.wait(before, 60_000)).resolves.toBeUndefined();
    expect(signal.waiting).toBe(0);
  });

  it('lets a subscription read once for a burst of appends made in one turn of the event loop', async () => {
    const signal = new ChangeSignal();
    let reads = 0;
    let head = 0;
    const feed = {
      changes: signal,
      async readPage(from: number): Promise<FeedPage> {
        reads += 1;
        const events = [];
        for (let position = from; position <= head; position += 1) {
          events.push({ id: `${position}`, stream: 's', type: 't', revision: position, position, data: {}, metadata: {}, tenant: 'i', createdAt: new Date() });
        }
        return { events, nextPosition: head + 1, isEnd: true };
      },
    };
    const delivered: number[] = [];
    const subscription = new LiveSubscription(feed, (events) => void delivered.push(...events.map((event) => event.position)), {
      fromPosition: 1,
      batchSize: 1000,
      idleRecheckMs: 60_000,
    });
    try {
      await turn();
      const readsWhenIdle = reads;
      // Appends made by separate callbacks of one event-loop phase (as requests served in one
      // turn are): the callbacks' microtasks run between them, yet only one read follows.
      // Immediates queued together all run in the same check phase (timers would not: under
      // load, 1 ms timers set across a millisecond boundary fall due in different turns).
      await new Promise<void>((resolve) => {
        for (let append = 0; append < 100; append += 1) {
          setImmediate(() => {
            head += 1;
            signal.notify();
            if (head === 100) resolve();
          });
        }
      });
      await turn();
      await turn();
      expect(delivered).toEqual(Array.from({ length: 100 }, (_, index) => index + 1));
      expect(reads - readsWhenIdle).toBe(1);
    } finally {
      // Also when an expectation fails: an open subscription would keep the test run alive.
      await subscription.close();
    }
  });

  it("wakes a tenant's subscription only for appends of that tenant or of unknown tenants", async () => {
    const signal = new ChangeSignal();
    const reads = new Map<string, number>();
    const feed = {
      changes: signal,
      async readPage(from: number, _max: number, filter: EventFilter | undefined): Promise<FeedPage> {
        const tenant = filter?.tenant ?? '*';
        reads.set(tenant, (reads.get(tenant) ?? 0) + 1);
        return { events: [], nextPosition: from, isEnd: true };
      },
    };
    const subscribe = (tenant: string | undefined): LiveSubscription =>
      new LiveSubscription(feed, () => undefined, { fromPosition: 0, batchSize: 10, idleRecheckMs: 60_000, ...(tenant ? { filter: { tenant } } : {}) });
    const subscriptions = [subscribe('a'), subscribe('b'), subscribe(undefined)];
    try {
      await turn();
      expect(Object.fromEntries(reads)).toEqual({ a: 1, b: 1, '*': 1 });
      // One turn each, as appends of separate requests are.
      for (let append = 0; append < 50; append += 1) {
        signal.notify(['b']);
        await turn();
        await turn();
      }
      expect(Object.fromEntries(reads)).toEqual({ a: 1, b: 51, '*': 51 });
      signal.notify();
      await turn();
      await turn();
      expect(Object.fromEntries(reads)).toEqual({ a: 2, b: 52, '*': 52 });
    } finally {
      await Promise.all(subscriptions.map((subscription) => subscription.close()));
    }
    expect(signal.waiting).toBe(0);
  });
});

