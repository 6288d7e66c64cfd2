import type { EventStore, EventToAppend, StoredEvent } from '@app/event-store';
import type { DataSource } from 'typeorm';
import { ReadModelDatabase, type ReadModelKind } from '../projections/testing/read-model-database';
import { untilVisible } from '../projections/testing/until-visible';
import { UnknownSubscriberError } from './errors';
import type { EventSubscriber } from './event-subscriber';
import { SubscriptionManager, subscriptionManagerEntities, type SubscriptionManagerOptions } from './subscription-manager';
import type { SubscriberFailureInfo } from './subscriber-observer';

const NOTIFIED = 'user.notified';
const OTHER = 'user.renamed';

/** Stands for the outside world a subscriber acts on: effects keyed by event id (so idempotent). */
class ExternalSystem {
  readonly effects = new Map<string, StoredEvent>();
}

/** Records every delivery, and applies each event's effect at most once (idempotent handler). */
class RecordingSubscriber implements EventSubscriber {
  readonly eventTypes = [NOTIFIED];
  readonly deliveries: StoredEvent[] = [];
  failWhen: ((event: StoredEvent) => boolean) | undefined;
  /** Runs after the effect, before handle resolves (e.g. to simulate a crash right then). */
  afterEffect: ((event: StoredEvent) => Promise<void>) | undefined;

  constructor(
    readonly external = new ExternalSystem(),
    readonly name = 'notifier',
    readonly startAt: 'beginning' | 'now' = 'beginning',
  ) {}

  async handle(event: StoredEvent): Promise<void> {
    this.deliveries.push(event);
    if (this.failWhen?.(event)) throw new Error(`Mail server refused event ${event.id}`);
    if (!this.external.effects.has(event.id)) this.external.effects.set(event.id, event);
    await this.afterEffect?.(event);
  }

  deliveriesOf(eventId: string): number {
    return this.deliveries.filter((event) => event.id === eventId).length;
  }
}

describe.each<ReadModelKind>(['sqlite', 'postgres'])('SubscriptionManager with %s', (kind) => {
  let database: ReadModelDatabase;
  let store: EventStore;
  let managers: SubscriptionManager[];

  beforeEach(async () => {
    database = await ReadModelDatabase.create(kind);
    store = await database.openEventStore();
    managers = [];
  });

  afterEach(async () => {
    await Promise.all(managers.map((manager) => manager.stop()));
    await database.drop();
  });

  /** A manager on its own DataSource, as in its own process. */
  async function managerFor(
    subscribers: EventSubscriber[],
    options: SubscriptionManagerOptions = {},
  ): Promise<{ manager: SubscriptionManager; dataSource: DataSource }> {
    const dataSource = await database.open(subscriptionManagerEntities());
    const manager = new SubscriptionManager(store, dataSource, subscribers, {
      retryDelay: { initialMs: 2, maxMs: 10 },
      pollIntervalMs: 50,
      leaseMs: 400,
      ...options,
    });
    managers.push(manager);
    await manager.init();
    return { manager, dataSource };
  }

  /** Appends and resolves once readers (and so catchUp) can see the events. */
  async function append(stream: string, types: string[]): Promise<number> {
    const events: EventToAppend[] = types.map((type, index) => ({ type, data: { index }, tenant: 'tenant-1' }));
    return untilVisible(store, (await store.append(stream, events, { expectedRevision: 'any' })).position);
  }

  async function notifiedEvents(): Promise<StoredEvent[]> {
    return (await store.readAll({ maxCount: 10_000, filter: { types: [NOTIFIED] } })).events;
  }

  it('lets timers run while a subscriber catches up through many pages', async () => {
    for (let stream = 0; stream < 10; stream += 1) await append(`user-${stream}`, Array.from({ length: 20 }, () => NOTIFIED));
    const subscriber = new RecordingSubscriber();
    const { manager } = await managerFor([subscriber], { batchSize: 20 });
    let deliveredWhenTimerFired: number | undefined;
    setTimeout(() => (deliveredWhenTimerFired = subscriber.deliveries.length), 1);

    await manager.catchUp();

    expect(subscriber.deliveries).toHaveLength(200);
    expect(deliveredWhenTimerFired).toBeDefined();
    expect(deliveredWhenTimerFired!).toBeLessThan(200);
  });

  it('delivers each event of its types once, in log order, and moves its checkpoint past the others', async () => {
    await append('user-1', [NOTIFIED, OTHER, NOTIFIED]);
    await append('user-2', [OTHER, NOTIFIED]);
    const subscriber = new RecordingSubscriber();
    const checkpoints: number[] = [];
    const { manager } = await managerFor([subscriber], { batchSize: 2, observer: { onCheckpoint: (info) => checkpoints.push(info.position) } });
    const late = new RecordingSubscriber(new ExternalSystem(), 'late-joiner', 'now');
    const { manager: lateManager } = await managerFor([late]);
    const head = await append('user-3', [OTHER, OTHER]);

    await manager.catchUp();
    await lateManager.catchUp();

    const expected = await notifiedEvents();
    expect(subscriber.deliveries.map((event) => event.id)).toEqual(expected.map((event) => event.id));
    expect(checkpoints).toEqual([...checkpoints].sort((a, b) => a - b));
    expect(checkpoints[checkpoints.length - 1]).toBe(head);
    expect((await manager.status()).subscribers).toEqual([
      expect.objectContaining({ name: 'notifier', position: head, lag: 0, eventsHandled: 3, eventsParked: 0, failedEvents: 0, owner: null }),
    ]);
    // Started at the head: only what comes after its creation.
    expect(late.deliveries).toEqual([]);
    await append('user-4', [NOTIFIED]);
    await lateManager.catchUp();
    expect(late.deliveries.map((event) => event.stream)).toEqual(['user-4']);
  });

  it('follows appends live; stop() lets the event in hand finish and keeps its checkpoint', async () => {
    const subscriber = new RecordingSubscriber();
    const { manager } = await managerFor([subscriber]);
    await manager.start();
    await append('user-1', [NOTIFIED, NOTIFIED]);
    await eventually(() => expect(subscriber.external.effects.size).toBe(2));
    expect((await manager.status()).subscribers[0]).toMatchObject({ ownedHere: true, owner: manager.runnerId });

    let finish!: () => void;
    const held = new Promise<void>((resolve) => (finish = resolve));
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    subscriber.afterEffect = async () => {
      entered();
      await held;
    };
    const position = await append('user-2', [NOTIFIED]);
    await inHandler;
    let stopped = false;
    const stopping = manager.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(stopped).toBe(false);
    finish();
    await stopping;

    const status = await manager.status();
    expect(status).toMatchObject({ live: false });
    expect(status.subscribers[0]).toMatchObject({ position, eventsHandled: 3, owner: null });
    subscriber.afterEffect = undefined;
    await append('user-3', [NOTIFIED]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(subscriber.deliveries).toHaveLength(3);

    // A restart continues after the last handled event: nothing lost, nothing delivered twice.
    const restarted = new RecordingSubscriber(subscriber.external);
    const { manager: next } = await managerFor([restarted]);
    await next.start();
    await next.catchUp();
    expect(restarted.deliveries.map((event) => event.stream)).toEqual(['user-3']);
    expect(subscriber.external.effects.size).toBe(4);
  });

  it('after a crash between the side effect and the checkpoint write, another runner takes over and redelivers the page in hand without a second effect', async () => {
    await append('user-1', [NOTIFIED, NOTIFIED, NOTIFIED, NOTIFIED, NOTIFIED]);
    const external = new ExternalSystem();
    const events = await notifiedEvents();
    const crashing = new RecordingSubscriber(external);
    // Pages of two: the first page's checkpoint is written, then the process dies in the second.
    const { manager: doomed, dataSource: doomedDatabase } = await managerFor([crashing], { batchSize: 2 });
    crashing.afterEffect = async (event) => {
      if (event.id === events[2].id) await doomedDatabase.destroy();
    };
    await doomed.start();
    await eventually(() => expect(crashing.deliveries.length).toBeGreaterThanOrEqual(3));

    const successor = new RecordingSubscriber(external);
    const { manager } = await managerFor([successor], { batchSize: 2 });
    await append('user-2', [NOTIFIED]);
    await manager.catchUp();

    const all = await notifiedEvents();
    // The third event, in the page that was in hand, is delivered again (at least once); the
    // first page is not, its checkpoint was written.
    expect(successor.deliveries.map((event) => event.id)).toEqual(all.slice(2).map((event) => event.id));
    expect(crashing.deliveriesOf(events[2].id) + successor.deliveriesOf(events[2].id)).toBe(2);
    // ... but the idempotent handler made one effect per event.
    expect([...external.effects.keys()].sort()).toEqual(all.map((event) => event.id).sort());
    const status = (await manager.status()).subscribers[0];
    // Two recorded by the first runner, four by its successor.
    expect(status).toMatchObject({ position: await store.headPosition(), lag: 0, eventsHandled: 6 });
  });

  it('writes its checkpoint once per page, not once per event', async () => {
    await append('user-1', Array.from({ length: 12 }, (_, index) => (index % 3 === 2 ? OTHER : NOTIFIED)));
    const head = await append('user-2', [NOTIFIED, OTHER]);
    const subscriber = new RecordingSubscriber();
    const checkpoints: number[] = [];
    const { manager } = await managerFor([subscriber], { batchSize: 5, observer: { onCheckpoint: (info) => checkpoints.push(info.position) } });

    await manager.catchUp();

    expect(subscriber.deliveries).toHaveLength(9);
    // 9 events of its types in pages of 5: two moves, the second one past the trailing OTHER.
    expect(checkpoints).toHaveLength(2);
    expect(checkpoints[1]).toBe(head);
    expect((await manager.status()).subscribers[0]).toMatchObject({ position: head, eventsHandled: 9 });
  });

  it('retries a failing handler, parks the event after maxAttempts and goes on; retryFailed resolves it once fixed', async () => {
    await append('user-1', [NOTIFIED, NOTIFIED, NOTIFIED]);
    const [first, poisoned, third] = await notifiedEvents();
    const subscriber = new RecordingSubscriber();
    subscriber.failWhen = (event) => event.id === poisoned.id;
    const failures: SubscriberFailureInfo[] = [];
    const parked: string[] = [];
    const { manager } = await managerFor([subscriber], {
      maxAttempts: 3,
      observer: { onFailure: (info) => failures.push(info), onParked: (info) => parked.push(info.event.id) },
    });

    await manager.catchUp();

    expect(subscriber.deliveries.map((event) => event.id)).toEqual([first.id, poisoned.id, poisoned.id, poisoned.id, third.id]);
    expect([...subscriber.external.effects.keys()]).toEqual([first.id, third.id]);
    expect(failures.map((info) => [info.attempt, info.willRetry])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
    expect(parked).toEqual([poisoned.id]);
    const [failed] = await manager.listFailed();
    expect(failed).toMatchObject({
      subscriber: 'notifier',
      eventId: poisoned.id,
      position: poisoned.position,
      type: NOTIFIED,
      stream: 'user-1',
      tenant: 'tenant-1',
      attempts: 3,
      status: 'failed',
      resolvedAt: null,
    });
    expect(failed.error).toContain(`Mail server refused event ${poisoned.id}`);
    expect(failed.lastFailedAt.getTime()).toBeGreaterThanOrEqual(failed.firstFailedAt.getTime());
    expect((await manager.status()).subscribers[0]).toMatchObject({ position: third.position, eventsHandled: 2, eventsParked: 1, failedEvents: 1 });

    const stillBroken = await manager.retryFailed('notifier');
    expect(stillBroken.resolved).toEqual([]);
    expect(stillBroken.failed).toEqual([expect.objectContaining({ id: failed.id, attempts: 4, status: 'failed' })]);
    expect(await manager.listFailed('notifier')).toEqual([expect.objectContaining({ attempts: 4, status: 'failed' })]);

    subscriber.failWhen = undefined;
    const fixed = await manager.retryFailed([failed.id]);
    expect(fixed.resolved).toEqual([expect.objectContaining({ id: failed.id, attempts: 5, status: 'resolved' })]);
    expect(subscriber.external.effects.has(poisoned.id)).toBe(true);
    expect(await manager.listFailed()).toEqual([]);
    expect(await manager.listFailed({ status: 'all' })).toEqual([expect.objectContaining({ id: failed.id, status: 'resolved', resolvedAt: expect.any(Date) })]);
    expect((await manager.status()).subscribers[0]).toMatchObject({ failedEvents: 0, eventsParked: 1 });
    // Resolved rows are not delivered again.
    expect(await manager.retryFailed([failed.id])).toEqual({ resolved: [], failed: [] });
    await expect(manager.retryFailed('nobody')).rejects.toBeInstanceOf(UnknownSubscriberError);
  });

  it('logs a takeover of a crashed runner\'s lease, naming the subscriber, the previous holder and how long it was stale', async () => {
    await append('user-1', [NOTIFIED]);
    const external = new ExternalSystem();
    const { manager: doomed, dataSource: doomedDatabase } = await managerFor([new RecordingSubscriber(external)]);
    await doomed.start();
    await eventually(async () => expect((await doomed.status()).subscribers[0]).toMatchObject({ ownedHere: true, lag: 0 }));
    // The process dies: no release, no renewal.
    await doomedDatabase.destroy();
    await doomed.stop();

    const warnings: Array<{ message: string; fields?: Record<string, unknown> }> = [];
    const logger = { info: () => undefined, error: () => undefined, warn: (message: string, fields?: Record<string, unknown>) => warnings.push({ message, fields }) };
    const successor = new RecordingSubscriber(external);
    const { manager } = await managerFor([successor], { logger });
    await manager.start();
    await append('user-2', [NOTIFIED]);
    await eventually(() => expect(successor.deliveries.map((event) => event.stream)).toEqual(['user-2']));

    const takeovers = warnings.filter((warning) => warning.fields?.previousOwner !== undefined);
    expect(takeovers).toEqual([
      {
        message: 'Took over a subscriber whose runner stopped renewing its lease',
        fields: expect.objectContaining({ subscriber: 'notifier', previousOwner: doomed.runnerId, staleForMs: expect.any(Number), leaseExpiredMsAgo: expect.any(Number) }),
      },
    ]);
    // Stale for at least the lease (400 ms) it had to run out.
    expect(takeovers[0].fields!.staleForMs).toBeGreaterThanOrEqual(400);
    // A lease given up on stop() is taken without a warning.
    await manager.stop();
    const next = await managerFor([new RecordingSubscriber(external)], { logger });
    await next.manager.start();
    await eventually(async () => expect((await next.manager.status()).subscribers[0]).toMatchObject({ ownedHere: true }));
    expect(warnings.filter((warning) => warning.fields?.previousOwner !== undefined)).toHaveLength(1);
  });

  it('lets one of two runners on one database deliver, each event once; the standby takes over when the owner stops', async () => {
    const external = new ExternalSystem();
    const [first, second] = [new RecordingSubscriber(external), new RecordingSubscriber(external)];
    const [{ manager: managerA }, { manager: managerB }] = [await managerFor([first]), await managerFor([second])];
    await Promise.all([managerA.start(), managerB.start()]);

    await Promise.all(Array.from({ length: 10 }, (_, index) => append(`user-${index}`, Array.from({ length: 10 }, () => NOTIFIED))));
    await Promise.all([managerA.catchUp(), managerB.catchUp()]);

    const delivered = [...first.deliveries, ...second.deliveries].map((event) => event.id);
    expect(delivered).toHaveLength(100);
    expect(new Set(delivered).size).toBe(100);
    expect(external.effects.size).toBe(100);
    const owners = (await Promise.all([managerA.status(), managerB.status()])).map((status) => status.subscribers[0].ownedHere);
    expect(owners.filter(Boolean)).toHaveLength(1);

    const [owner, standby, standbySubscriber] = owners[0] ? [managerA, managerB, second] : [managerB, managerA, first];
    await owner.stop();
    const before = standbySubscriber.deliveries.length;
    await append('user-late', [NOTIFIED, NOTIFIED]);
    await eventually(() => expect(standbySubscriber.deliveries.length).toBe(before + 2));
    expect(external.effects.size).toBe(102);
    expect((await standby.status()).subscribers[0]).toMatchObject({ ownedHere: true });
  });
});

async function eventually(assertion: () => void | Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
