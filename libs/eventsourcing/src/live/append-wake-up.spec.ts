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

  it('reports the types of appended events it was asked about, and nothing once stopped', async () => {
    const seen: string[][] = [];
    const wakeUp = new AppendWakeUp(store, {
      types: ['a.happened'],
      retryDelay: { initialMs: 10, maxMs: 10 },
      logger: silentLogger,
      onAppended: (types) => seen.push([...types]),
      onResubscribe: () => undefined,
    });
    await wakeUp.start();
    await store.append('s-1', [{ type: 'b.happened', tenant: 't', data: {} }], { expectedRevision: 'any' });
    await store.append('s-1', [{ type: 'a.happened', tenant: 't', data: {} }], { expectedRevision: 'any' });
    await eventually(() => seen.length > 0, 'a wake-up');
    expect(seen.flat()).toEqual(['a.happened']);
    await wakeUp.stop();
    await store.append('s-1', [{ type: 'a.happened', tenant: 't', data: {} }], { expectedRevision: 'any' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.flat()).toEqual(['a.happened']);
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
    let resubscribed = 0;
    const seen: string[] = [];
    const wakeUp = new AppendWakeUp(flaky, {
      types: ['a.happened'],
      retryDelay: { initialMs: 10, maxMs: 10 },
      logger: silentLogger,
      onAppended: (types) => seen.push(...types),
      onResubscribe: () => {
        resubscribed += 1;
      },
    });
    await wakeUp.start();
    failFirst(new Error('connection lost'));
    await eventually(() => subscriptions === 2, 'a second subscription');
    expect(resubscribed).toBe(1);
    await store.append('s-2', [{ type: 'a.happened', tenant: 't', data: {} }], { expectedRevision: 'any' });
    await eventually(() => seen.length > 0, 'a wake-up on the new subscription');
    await wakeUp.stop();
  });
});
