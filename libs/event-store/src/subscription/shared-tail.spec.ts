import { eventMatches, normalizeFilter } from '../contract/filter-rules';
import type { EventFilter, StoredEvent } from '../types';
import { ChangeSignal } from './change-signal';
import { LiveSubscription, type FeedPage } from './live-subscription';
import { SharedTail } from './shared-tail';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A log in memory whose reads are counted; `visibleUpTo` holds events back like a read horizon. */
class CountingLog {
  readonly events: StoredEvent[] = [];
  readonly changes = new ChangeSignal();
  reads = 0;
  filteredReads = 0;
  visibleUpTo = Number.POSITIVE_INFINITY;
  /** Runs once while the next read is under way (after it saw the log). */
  duringNextRead: (() => void) | undefined;
  private next = 1;

  append(type: string, tenant = 'a', notify = true): void {
    const position = this.next;
    // Positions leave holes, as PostgreSQL's do.
    this.next += 2;
    this.events.push({ id: `e${position}`, stream: `s-${type}`, type, revision: 0, position, data: { position }, metadata: {}, tenant, createdAt: new Date(0) });
    if (notify) this.changes.notify([tenant]);
  }

  readonly readPage = async (from: number, max: number, filter: EventFilter | undefined): Promise<FeedPage> => {
    this.reads += 1;
    if (filter) this.filteredReads += 1;
    // The read sees the log as it is when it starts, and answers a turn later.
    const matcher = normalizeFilter(filter);
    const readable = this.events.filter((event) => event.position >= from && event.position < this.visibleUpTo);
    const held = this.events.some((event) => event.position >= this.visibleUpTo);
    const during = this.duringNextRead;
    this.duringNextRead = undefined;
    during?.();
    await turn();
    const matched = readable.filter((event) => eventMatches(matcher, event));
    if (matched.length > max) return { events: matched.slice(0, max), nextPosition: matched[max - 1].position + 1, isEnd: false };
    const end = readable.length > 0 ? readable[readable.length - 1].position + 1 : from;
    return { events: matched, nextPosition: end, isEnd: true, ...(held ? { recheckAfterMs: 30 } : {}) };
  };
}

function tailOf(log: CountingLog, options: { capacity?: number; maxAgeMs?: number; pageSize?: number } = {}): SharedTail {
  return new SharedTail({ readPage: log.readPage, changes: log.changes, pageSize: options.pageSize ?? 100, capacity: options.capacity ?? 1000, maxAgeMs: options.maxAgeMs ?? 10_000 });
}

/** Subscribes through the tail and collects what it delivers. */
function follow(log: CountingLog, tail: SharedTail, filter?: EventFilter, fromPosition = 0, batchSize = 100) {
  const received: StoredEvent[] = [];
  const subscription = new LiveSubscription({ changes: log.changes, readPage: tail.readPage }, (events) => void received.push(...events), { fromPosition, batchSize, filter, idleRecheckMs: 60_000 });
  return { received, subscription };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 5_000) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('SharedTail', () => {
  it('serves every subscription at the log end with one read of the store per append, each with its own filter', async () => {
    const log = new CountingLog();
    const tail = tailOf(log);
    const followers = [follow(log, tail), follow(log, tail, { types: ['target.added'] }), follow(log, tail, { typePrefixes: ['execution.'] }), follow(log, tail, { tenant: 'b' }), follow(log, tail, { types: ['unseen'] })];
    await until(() => log.changes.waiting === followers.length, 'the followers to wait');

    const readsBefore = log.reads;
    log.append('target.added');
    log.append('execution.set', 'b');
    await until(() => followers[0].received.length === 2 && log.changes.waiting === followers.length, 'delivery');
    // One read for the burst, shared by the five (each would have read on its own).
    expect(log.reads - readsBefore).toBe(1);
    expect(followers.map((follower) => follower.received.map((event) => event.type))).toEqual([['target.added', 'execution.set'], ['target.added'], ['execution.set'], ['execution.set'], []]);
    await Promise.all(followers.map((follower) => follower.subscription.close()));
  });

  it('delivers the same events as reading the store directly, over many appends of mixed types and tenants', async () => {
    const log = new CountingLog();
    const tail = tailOf(log, { capacity: 7, pageSize: 3 });
    const filters: (EventFilter | undefined)[] = [undefined, { types: ['x'] }, { typePrefixes: ['y'] }, { tenant: 'b', types: ['x', 'z'] }];
    const followers = filters.map((filter) => follow(log, tail, filter, 0, 2));
    for (let index = 0; index < 60; index += 1) {
      log.append(['x', 'y1', 'y2', 'z'][index % 4], index % 3 === 0 ? 'b' : 'a');
      if (index % 7 === 0) await turn();
    }
    const expected = filters.map((filter) => log.events.filter((event) => eventMatches(normalizeFilter(filter), event)).map((event) => event.position));
    await until(() => followers.every((follower, index) => follower.received.length === expected[index].length), 'every follower to catch up');
    await sleep(20);
    expect(followers.map((follower) => follower.received.map((event) => event.position))).toEqual(expected);
    await Promise.all(followers.map((follower) => follower.subscription.close()));
  });

  it('reads again for a reader that saw a notification newer than the shared read', async () => {
    const log = new CountingLog();
    const tail = tailOf(log);
    log.append('w');
    await tail.readPage(0, 10, undefined);
    log.append('x');
    // The window is read on; the next append lands while that read is under way, and a second
    // reader, woken by it, asks while the first read is not yet answered.
    let second: Promise<FeedPage> | undefined;
    log.duringNextRead = () => {
      log.append('y');
      second = tail.readPage(2, 10, undefined);
    };
    const first = tail.readPage(2, 10, undefined);
    await first;
    if (!second) throw new Error('the second reader did not ask');
    expect((await first).events.map((event) => event.type)).toEqual(['x']);
    expect((await second).events.map((event) => event.type)).toEqual(['x', 'y']);
    // Neither went around the window: the first read on, the second again after it.
    expect(log.reads).toBe(3);
  });

  it('reads the store again when a page held events back, after its re-check delay, with no notification', async () => {
    const log = new CountingLog();
    const tail = tailOf(log);
    const { received, subscription } = follow(log, tail);
    await until(() => log.changes.waiting === 1, 'the follower to wait');
    log.visibleUpTo = 2;
    log.append('x');
    log.append('y');
    await until(() => received.length === 1, 'the visible event');
    // The held event becomes readable without any notification (its writer was elsewhere).
    log.visibleUpTo = Number.POSITIVE_INFINITY;
    await until(() => received.length === 2, 'the held event after the re-check');
    expect(received.map((event) => event.type)).toEqual(['x', 'y']);
    await subscription.close();
  });

  it('does not serve a window older than its maximum age, so an unnoticed write is still found', async () => {
    const log = new CountingLog();
    const tail = tailOf(log, { maxAgeMs: 20 });
    log.append('w');
    await tail.readPage(0, 10, undefined);
    log.append('x', 'a', false);
    expect((await tail.readPage(2, 10, undefined)).events).toEqual([]);
    await sleep(30);
    expect((await tail.readPage(2, 10, undefined)).events.map((event) => event.type)).toEqual(['x']);
  });

  it('sends readers behind the window to the store with their own filter', async () => {
    const log = new CountingLog();
    const tail = tailOf(log, { capacity: 2 });
    await tail.readPage(0, 10, undefined);
    for (const type of ['x', 'y', 'x', 'y']) log.append(type);
    await tail.readPage(1, 10, undefined);
    const filteredBefore = log.filteredReads;
    const page = await tail.readPage(1, 10, { types: ['x'] });
    expect(page.events.map((event) => event.position)).toEqual([1, 5]);
    expect(log.filteredReads).toBe(filteredBefore + 1);
  });
});
