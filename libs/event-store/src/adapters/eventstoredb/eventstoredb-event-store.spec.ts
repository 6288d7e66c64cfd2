import { randomUUID } from 'node:crypto';
import { describeEventImportContract } from '../../contract/event-import.contract';
import { DuplicateEventIdError, InvalidAppendError, WrongExpectedRevisionError } from '../../errors';
import type { EventToAppend, StoredEvent, Subscription } from '../../types';
import { EventStoreDbEventStore, type EventStoreDbEventStoreOptions } from './eventstoredb-event-store';
import { FakeEsdbServer } from './testing/fake-esdb-server';

// The adapter's own logic (positions, paging, filters, retries, subscriptions) against a
// stand-in that behaves like the server where the adapter depends on it. The contract suite
// runs against a real server when TEST_EVENTSTORE_URL is set (eventstoredb.contract.spec.ts).

const event = (type: string, tenant = 't', data: EventToAppend['data'] = {}, extra: Partial<EventToAppend> = {}): EventToAppend => ({ type, tenant, data, ...extra });

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('EventStoreDbEventStore (against an in-memory server model)', () => {
  let server: FakeEsdbServer;
  const stores: EventStoreDbEventStore[] = [];
  const subscriptions: Subscription[] = [];

  beforeEach(() => {
    server = new FakeEsdbServer();
  });
  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((subscription) => subscription.close()));
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });

  async function open(options: Partial<EventStoreDbEventStoreOptions> = {}): Promise<EventStoreDbEventStore> {
    const store = new EventStoreDbEventStore({
      connectionString: 'esdb://fake:2113?tls=false',
      createClient: () => server.client(),
      subscriptionRetry: { minDelayMs: 5, maxDelayMs: 20 },
      ...options,
    });
    await store.init();
    stores.push(store);
    return store;
  }

  function collect(store: EventStoreDbEventStore, fromPosition: number, filter?: Parameters<EventStoreDbEventStore['subscribe']>[0]['filter']) {
    const received: StoredEvent[] = [];
    const subscription = store.subscribe({ fromPosition, filter, batchSize: 4 }, (events) => void received.push(...events));
    subscriptions.push(subscription);
    return { received, subscription };
  }

  describe('append and readStream', () => {
    it('stores under the prefixed stream and answers with the last event as read back', async () => {
      const store = await open({ streamPrefix: 'svc.' });
      const result = await store.append('order-1', [event('order.placed', 'i1', { n: 1 }), event('order.paid', 'i1', { n: 2 })], { expectedRevision: 'no_stream' });
      const stored = await store.readStream('order-1');
      expect(server.records.map((record) => record.streamId)).toEqual(['svc.order-1', 'svc.order-1']);
      expect(stored.map((e) => [e.stream, e.revision, e.type, e.tenant, e.data])).toEqual([
        ['order-1', 0, 'order.placed', 'i1', { n: 1 }],
        ['order-1', 1, 'order.paid', 'i1', { n: 2 }],
      ]);
      expect(result).toEqual({ nextExpectedRevision: 1, position: stored[1].position, createdAt: stored[1].createdAt });
      expect(stored[0].position).toBe(Number(server.records[0].offset) * 2);
    });

    it('maps each expectation and reports conflicts with the actual revision', async () => {
      const store = await open();
      await expect(store.append('s', [event('a')], { expectedRevision: 'stream_exists' })).rejects.toMatchObject({ expected: 'stream_exists', actual: 'no_stream' });
      await store.append('s', [event('a'), event('a')], { expectedRevision: 'no_stream' });
      const conflict = await store.append('s', [event('a')], { expectedRevision: 0 }).catch((error: unknown) => error);
      expect(conflict).toBeInstanceOf(WrongExpectedRevisionError);
      expect(conflict).toMatchObject({ stream: 's', expected: 0, actual: 1 });
      expect((await store.append('s', [event('a')], { expectedRevision: 1 })).nextExpectedRevision).toBe(2);
      expect((await store.append('s', [event('a')], { expectedRevision: 'stream_exists' })).nextExpectedRevision).toBe(3);
      expect((await store.append('s', [event('a')], { expectedRevision: 'any' })).nextExpectedRevision).toBe(4);
    });

    it.each(['no_stream', 'any'] as const)('answers a retried append (%s) with the original result and stores nothing new', async (expectedRevision) => {
      const store = await open();
      const events = [event('a', 't', {}, { id: randomUUID() }), event('b', 't', {}, { id: randomUUID() })];
      const original = await store.append('s', events, { expectedRevision });
      await store.append('s', [event('c')], { expectedRevision: 'any' });
      expect(await store.append('s', events, { expectedRevision })).toEqual(original);
      expect((await store.readStream('s')).map((e) => e.type)).toEqual(['a', 'b', 'c']);
    });

    it('refuses stored ids in another order, mixed with new ones, or at other revisions', async () => {
      const store = await open();
      const a = randomUUID();
      const b = randomUUID();
      await store.append('s', [event('a', 't', {}, { id: a }), event('b', 't', {}, { id: b })], { expectedRevision: 'no_stream' });
      // The server takes these for retries or conflicts; the adapter tells what they are.
      await expect(store.append('s', [event('b', 't', {}, { id: b }), event('a', 't', {}, { id: a })], { expectedRevision: 'any' })).rejects.toBeInstanceOf(DuplicateEventIdError);
      await expect(store.append('s', [event('a', 't', {}, { id: a }), event('c', 't', {}, { id: randomUUID() })], { expectedRevision: 'any' })).rejects.toBeInstanceOf(
        DuplicateEventIdError,
      );
      await expect(store.append('s', [event('a', 't', {}, { id: a }), event('b', 't', {}, { id: b })], { expectedRevision: 0 })).rejects.toBeInstanceOf(DuplicateEventIdError);
      // A plain conflict stays a conflict.
      await expect(store.append('s', [event('c', 't', {}, { id: randomUUID() })], { expectedRevision: 0 })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      expect(await store.readStream('s')).toHaveLength(2);
    });

    it('refuses what any store refuses (here U+0000 in data or metadata) without calling the server', async () => {
      const store = await open();
      await expect(store.append('s', [event('e', 't', { text: 'a \u0000 b' })], { expectedRevision: 'any' })).rejects.toBeInstanceOf(InvalidAppendError);
      await expect(store.append('s', [event('e', 't', {}, { metadata: { actor: '\u0000' } })], { expectedRevision: 'any' })).rejects.toBeInstanceOf(InvalidAppendError);
      await expect(store.append('s', [], { expectedRevision: 'any' })).rejects.toBeInstanceOf(InvalidAppendError);
      expect(server.calls).toEqual([]);
    });

    it('reads a stream forwards, backwards, from a revision and up to a count; a missing stream is empty', async () => {
      const store = await open();
      await store.append('s', Array.from({ length: 6 }, (_, i) => event('e', 't', { i })), { expectedRevision: 'no_stream' });
      const revisions = async (options: Parameters<EventStoreDbEventStore['readStream']>[1]) => (await store.readStream('s', options)).map((e) => e.revision);
      expect(await revisions({ fromRevision: 2, maxCount: 3 })).toEqual([2, 3, 4]);
      expect(await revisions({ direction: 'backwards', maxCount: 2 })).toEqual([5, 4]);
      expect(await revisions({ direction: 'backwards', fromRevision: 1 })).toEqual([1, 0]);
      expect(await revisions({ maxCount: 0 })).toEqual([]);
      expect(await store.readStream('missing')).toEqual([]);
    });
  });

  describe('readAll and headPosition', () => {
    it('pages through its view only, resuming exactly at nextPosition, never at a position the server refuses', async () => {
      const store = await open({ streamPrefix: 'mine.' });
      const other = await open({ streamPrefix: 'theirs.' });
      expect(await store.headPosition()).toBe(0);
      expect(await store.readAll()).toEqual({ events: [], nextPosition: 0, isEnd: true });
      for (let i = 0; i < 25; i += 1) {
        await store.append(`s-${i % 3}`, [event('e', 't', { i }), event('e', 't', { i: i + 0.5 })], { expectedRevision: 'any' });
        await other.append('x', [event('e')], { expectedRevision: 'any' });
        server.writeSystemEvent();
      }
      const seen: StoredEvent[] = [];
      let position = 0;
      for (let pages = 0; ; pages += 1) {
        const page = await store.readAll({ fromPosition: position, maxCount: 7 });
        expect(page.events.length).toBeLessThanOrEqual(7);
        seen.push(...page.events);
        position = page.nextPosition;
        if (page.isEnd) break;
        expect(pages).toBeLessThan(20);
      }
      expect(seen.map((e) => e.data.i)).toEqual(Array.from({ length: 25 }, (_, i) => [i, i + 0.5]).flat());
      for (let i = 1; i < seen.length; i += 1) expect(seen[i].position).toBeGreaterThan(seen[i - 1].position);
      expect(position).toBe(seen[seen.length - 1].position + 1);
      expect(await store.headPosition()).toBe(seen[seen.length - 1].position);
      // From an event's own position the read includes it; from position + 1 it starts after it.
      expect((await store.readAll({ fromPosition: seen[10].position, maxCount: 1 })).events[0].id).toBe(seen[10].id);
      expect((await store.readAll({ fromPosition: seen[10].position + 1, maxCount: 1 })).events[0].id).toBe(seen[11].id);
    });

    it('filters types on the server and still reports how far it scanned', async () => {
      const store = await open();
      for (let i = 0; i < 12; i += 1) await store.append('s', [event(i % 3 === 0 ? 'target.added' : 'execution.set', i % 2 === 0 ? 'a' : 'b', { i })], { expectedRevision: 'any' });
      server.writeSystemEvent();
      const all = await store.readAll();
      expect(all.events).toHaveLength(12);
      const targets = await store.readAll({ filter: { typePrefixes: ['target.'] } });
      expect(targets.events.map((e) => e.data.i)).toEqual([0, 3, 6, 9]);
      // Past the last event of the view (a trailing execution.set), not just the last target.
      expect(targets).toMatchObject({ isEnd: true, nextPosition: all.events[11].position + 1 });
      const tenantB = await store.readAll({ filter: { tenant: 'b', types: ['execution.set'] }, maxCount: 2 });
      expect(tenantB.events.map((e) => e.data.i)).toEqual([1, 5]);
      expect(tenantB.isEnd).toBe(false);
    });

    it('filters types itself under a stream prefix, where the server filters stream names', async () => {
      const store = await open({ streamPrefix: 'p.' });
      for (let i = 0; i < 6; i += 1) await store.append('s', [event(i % 2 === 0 ? 'keep' : 'drop', 't', { i })], { expectedRevision: 'any' });
      const page = await store.readAll({ filter: { types: ['keep'] }, maxCount: 2 });
      expect(page.events.map((e) => e.data.i)).toEqual([0, 2]);
      const rest = await store.readAll({ filter: { types: ['keep'] }, fromPosition: page.nextPosition });
      expect(rest.events.map((e) => e.data.i)).toEqual([4]);
      expect(rest.isEnd).toBe(true);
    });
  });

  describe('subscribe', () => {
    it('catches up, goes live, and resumes from its position after close', async () => {
      const store = await open({ streamPrefix: 'p.' });
      for (let i = 0; i < 5; i += 1) await store.append('s', [event('e', 't', { i })], { expectedRevision: 'any' });
      const first = collect(store, 0);
      await waitFor(() => first.received.length === 5, 'catch-up');
      for (let i = 5; i < 8; i += 1) await store.append('s', [event('e', 't', { i })], { expectedRevision: 'any' });
      await waitFor(() => first.received.length === 8, 'live events');
      await first.subscription.close();
      expect(first.subscription.position).toBe(first.received[7].position + 1);

      await store.append('s', [event('e', 't', { i: 8 })], { expectedRevision: 'any' });
      const resumed = collect(store, first.subscription.position);
      await waitFor(() => resumed.received.length === 1, 'the event after the checkpoint');
      expect(resumed.received.map((e) => e.data.i)).toEqual([8]);
    });

    it('from the position after an empty log (headPosition() + 1) gets the very first event', async () => {
      const store = await open();
      const start = (await store.headPosition()) + 1;
      await store.append('s', [event('e', 't', { i: 0 })], { expectedRevision: 'any' });
      // The server would skip the first entry it finds at offset 0 if asked to start "after" it.
      const live = collect(store, start);
      await waitFor(() => live.received.length === 1, 'the first event of the log');
      expect(live.received[0].data).toEqual({ i: 0 });
    });

    it('starts at an event position inclusively (after the log entry before it)', async () => {
      const store = await open();
      for (let i = 0; i < 4; i += 1) await store.append('s', [event('e', 't', { i })], { expectedRevision: 'any' });
      const [, second] = await store.readStream('s');
      const live = collect(store, second.position);
      await waitFor(() => live.received.length === 3, 'events from the second on');
      expect(live.received.map((e) => e.data.i)).toEqual([1, 2, 3]);
    });

    it('applies type and tenant filters', async () => {
      const store = await open();
      const live = collect(store, 0, { typePrefixes: ['keep.'], tenant: 'a' });
      for (let i = 0; i < 8; i += 1) await store.append('s', [event(i % 2 === 0 ? 'keep.it' : 'drop.it', i % 4 === 0 ? 'a' : 'b', { i })], { expectedRevision: 'any' });
      await waitFor(() => live.received.length === 2, 'matching events');
      expect(live.received.map((e) => e.data.i)).toEqual([0, 4]);
    });

    it('resubscribes after dropped connections without losing or repeating events', async () => {
      const drops: unknown[] = [];
      const store = await open({ onSubscriptionDrop: (error) => drops.push(error) });
      const live = collect(store, 0);
      for (let round = 0; round < 3; round += 1) {
        await store.append('s', [event('e', 't', { i: round * 2 }), event('e', 't', { i: round * 2 + 1 })], { expectedRevision: 'any' });
        await waitFor(() => live.received.length === round * 2 + 2, `round ${round}`);
        server.dropSubscriptions();
        await waitFor(() => server.liveSubscriptions === 1, 'the new subscription');
      }
      expect(live.received.map((e) => e.data.i)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(drops).toHaveLength(3);
    });
  });

  describe('importEvents', () => {
    const imported = (stream: string, revision: number, createdAt: string) => ({
      id: randomUUID(),
      stream,
      revision,
      type: 'imported',
      tenant: 'i1',
      data: { revision },
      metadata: { correlationId: 'c-1' },
      createdAt: new Date(createdAt),
    });

    it("keeps the original time in the metadata envelope and reports it as createdAt; the server's own is the import time", async () => {
      const store = await open({ streamPrefix: 'svc.' });
      const before = Date.now();
      await store.importEvents([imported('a', 0, '2020-02-02T02:02:02.222Z')]);
      const [record] = server.records;
      expect(record.created.getTime()).toBeGreaterThanOrEqual(before);
      expect(record.metadata).toEqual({ tenant: 'i1', metadata: { correlationId: 'c-1' }, originalCreatedAt: '2020-02-02T02:02:02.222Z', $correlationId: 'c-1' });
      const [stored] = await store.readStream('a');
      expect(stored.createdAt.toISOString()).toBe('2020-02-02T02:02:02.222Z');
      expect(stored.metadata).toEqual({ correlationId: 'c-1' });
    });

    it('writes one append per run of consecutive events of one stream, each expecting the revision before it', async () => {
      const store = await open();
      await store.importEvents([imported('a', 0, '2020-01-01T00:00:00Z'), imported('a', 1, '2020-01-01T00:00:00Z'), imported('b', 0, '2020-01-01T00:00:01Z'), imported('a', 2, '2020-01-01T00:00:02Z')]);
      expect(server.calls.filter((call) => call === 'append')).toHaveLength(3);
      expect(server.records.map((record) => [record.streamId, Number(record.revision)])).toEqual([
        ['a', 0],
        ['a', 1],
        ['b', 0],
        ['a', 2],
      ]);
    });

    it('refuses a run that a concurrent writer made out of order, naming the stream; the runs before it stay stored', async () => {
      const store = await open();
      const batch = [imported('a', 0, '2020-01-01T00:00:00Z'), imported('b', 0, '2020-01-01T00:00:00Z')];
      // Another writer appends to "b" after the batch was checked and "a" was written.
      const appendToStream = server.append.bind(server);
      jest.spyOn(server, 'append').mockImplementation((stream, events, expected) => {
        if (stream === 'b' && events[0].type === 'imported') {
          appendToStream('b', [{ id: randomUUID(), contentType: 'application/json', type: 'racer', data: {}, metadata: { tenant: 't', metadata: {} } }], 'any');
        }
        return appendToStream(stream, events, expected);
      });
      await expect(store.importEvents(batch)).rejects.toMatchObject({ code: 'IMPORT_OUT_OF_ORDER', stream: 'b', revision: 0, nextRevision: 1 });
      expect((await store.readStream('a')).map((e) => e.id)).toEqual([batch[0].id]);
    });
  });

  it('replaces a client that found the server unreachable, and works again once it is back', async () => {
    const store = await open();
    await store.ping();
    server.clients[0].unreachable = true;
    await expect(store.ping()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(server.clients[0].closed).toBe(true);
    await store.append('s', [event('e')], { expectedRevision: 'no_stream' });
    expect(server.clients).toHaveLength(2);
  });
});

// The import cases of the contract, against the same model of the server.
describeEventImportContract(
  'eventstoredb (in-memory server model)',
  async () => {
    const server = new FakeEsdbServer();
    const store = new EventStoreDbEventStore({ connectionString: 'esdb://fake:2113?tls=false', createClient: () => server.client(), streamPrefix: 'svc.' });
    await store.init();
    return { store, cleanup: () => store.close() };
  },
  { storeWideEventIds: 'EventStoreDB checks event ids per stream only' },
);
