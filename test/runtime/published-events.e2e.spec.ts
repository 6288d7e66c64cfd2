import { randomUUID } from 'node:crypto';
import { EventPublisher } from '../../src/runtime/publish/event-publisher';
import { publishedEventStream, publishedEventStreamParts, RUNTIME_EVENT_PUBLISHED, toPublishedEvent, type PublishedEvent } from '../../src/runtime/domain/published-event';
import { STORE_SETUPS, startTestApp, type TestApp } from '../support/test-app';

const event = (overrides: Partial<PublishedEvent> = {}): PublishedEvent => ({
  id: randomUUID(),
  aggregateId: 'user-1',
  aggregateType: 'user',
  sequence: 3,
  eventType: 'user.human.added',
  createdAt: '2026-01-02T03:04:05.123456789Z',
  payload: { userName: 'ada', nested: [1, null, true] },
  ...overrides,
});

describe.each(STORE_SETUPS)('stored published events (%s)', (setup) => {
  let testApp: TestApp;
  let publisher: EventPublisher;
  beforeAll(async () => {
    testApp = await startTestApp(setup);
    publisher = testApp.app.get(EventPublisher);
  });
  afterAll(() => testApp.close());

  it('stores each event once as runtime.event.published in its own stream of the instance', async () => {
    const instanceId = `instance-${randomUUID()}`;
    const first = event({ resourceOwner: 'org-1', userId: 'admin', version: 'v2' });
    const second = event({ payload: null });
    expect(await publisher.publish(instanceId, 'host', [first, second])).toEqual({ accepted: 2, alreadyAccepted: 0 });

    const [stored] = await testApp.store.readStream(publishedEventStream(instanceId, first.id));
    expect(stored).toMatchObject({ type: RUNTIME_EVENT_PUBLISHED, tenant: instanceId, revision: 0, data: first, metadata: { actor: 'host' } });
    expect(toPublishedEvent(stored!.type, stored!.data)).toEqual(first);
    expect(publishedEventStreamParts(stored!.stream)).toEqual({ instanceId, eventId: first.id });
    const [storedSecond] = await testApp.store.readStream(publishedEventStream(instanceId, second.id));
    expect(storedSecond!.data).toEqual({ ...second, payload: null });
    expect(Object.keys(storedSecond!.data)).not.toContain('userId');
  });

  it('counts a repeated id as already accepted, in a later batch and within one, and never stores it twice', async () => {
    const instanceId = `instance-${randomUUID()}`;
    const repeated = event();
    expect(await publisher.publish(instanceId, 'host', [repeated])).toEqual({ accepted: 1, alreadyAccepted: 0 });
    const fresh = event();
    expect(await publisher.publish(instanceId, 'host', [repeated, fresh, fresh])).toEqual({ accepted: 1, alreadyAccepted: 2 });
    expect(await testApp.store.readStream(publishedEventStream(instanceId, repeated.id))).toHaveLength(1);
    expect(await testApp.store.readStream(publishedEventStream(instanceId, fresh.id))).toHaveLength(1);
  });

  it('stores the events of one aggregate in the order of the batch', async () => {
    const instanceId = `instance-${randomUUID()}`;
    const batch = Array.from({ length: 40 }, (_, index) => event({ aggregateId: `user-${index % 3}`, sequence: Math.floor(index / 3) + 1 }));
    expect(await publisher.publish(instanceId, 'host', batch)).toEqual({ accepted: 40, alreadyAccepted: 0 });
    const stored = (await testApp.store.readAll({ filter: { types: [RUNTIME_EVENT_PUBLISHED], tenant: instanceId } })).events.map((e) => e.data as unknown as PublishedEvent);
    expect(stored).toHaveLength(40);
    for (const aggregate of ['user-0', 'user-1', 'user-2']) {
      const sequences = stored.filter((e) => e.aggregateId === aggregate).map((e) => e.sequence);
      expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    }
  });

  it('keeps the same id of two instances apart', async () => {
    const shared = event();
    expect(await publisher.publish(`a-${randomUUID()}`, 'host', [shared])).toEqual({ accepted: 1, alreadyAccepted: 0 });
    expect(await publisher.publish(`b-${randomUUID()}`, 'host', [shared])).toEqual({ accepted: 1, alreadyAccepted: 0 });
  });
});
