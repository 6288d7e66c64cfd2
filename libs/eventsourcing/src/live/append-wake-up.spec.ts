import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, type EventStore, type Subscription, type SubscribeOptions, type SubscriptionHandler } from '@app/event-store';
import { silentLogger } from '../projections/logger';
import { AppendWakeUp } from './append-wake-up';

async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('AppendWakeUp', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wake-up-'));
    store = new SqliteEventStore({ file: join(dir, 'events.db') });
    await store.init();
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('wakes the listeners of the appended types only, and nobody once stopped', async () => {
    const woken: string[] = [];
    const listener = (name: string, eventTypes: string[]) => ({ eventTypes, wake: () => void woken.push(name) });
    const wakeUp = new AppendWakeUp(store, {
      listeners: [listener('of-a', ['a.happened']), listener('of-c', ['c.happened'])],
      retryDelay: { initialMs: 10, maxMs: 10 },
      logger: silentLogger,
    });
    await wakeUp.start();
    await store.append('s-1', [{ type: 'b.happened', tenant: 't', data: {} }], { expectedRevision: 'any' });
    await store.append('s-1', [{ type: 'a.happened', tenant: 't', data: {} }], { expectedRevision: 'any' });
    await eventually(() => woken.length > 0, 'a wake-up');
    expect(woken).toEqual(['of-a']);
    await wakeUp.stop();
    await store.append('s-1', [{ type: 'a.happened', tenant: 't', data: {} }], { expectedRevision: 'any' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(woken).toEqual(['of-a']);
  });

  it('subscribes again after a failed subscription and asks the owner to catch up what it missed', async () => {
    let subscriptions = 0;
    let failFirst: (error: Error) => void = () => undefined;
    const flaky: EventStore = Object.create(store, {
      subscribe: {
        value: (options: SubscribeOptions, handler: SubscriptionHandler): Subscription => {
          subscriptions += 1;
          if (subscriptions > 1) return store.subscribe(options, handler);
          const done = new Promise<void>((_resolve, reject) => {
            failFirst = reject;
          });
          return { position: 0, done, close: async () => undefined };
        },
      },
    }) as EventStore;
    let wakes = 0;
    const wakeUp = new AppendWakeUp(flaky, {
      listeners: [{ eventTypes: ['a.happened'], wake: () => void (wakes += 1) }],
      retryDelay: { initialMs: 10, maxMs: 10 },
      logger: silentLogger,
    });
    await wakeUp.start();
    failFirst(new Error('connection lost'));
    await eventually(() => subscriptions === 2, 'a second subscription');
    // Woken before resubscribing, with nothing appended: to catch up what it may have missed.
    expect(wakes).toBe(1);
    await store.append('s-2', [{ type: 'a.happened', tenant: 't', data: {} }], { expectedRevision: 'any' });
    await eventually(() => wakes > 1, 'a wake-up on the new subscription');
    await wakeUp.stop();
  });
});
