/**
 * The import path of the port ({@link EventImporter}), as jest cases every adapter must pass.
 * `describeEventStoreContract` runs them on its store; an adapter spec can also run them alone
 * with {@link describeEventImportContract}.
 */
import { randomUUID } from 'node:crypto';
import { DuplicateEventIdError, ImportOutOfOrderError, InvalidAppendError, WrongExpectedRevisionError } from '../errors';
import type { EventImporter, EventStore, ImportedEvent, JsonObject, StoredEvent } from '../types';
import { MAX_EVENTS_PER_APPEND } from './append-rules';
import { canImportEvents } from './import-rules';

export interface ImportContractFeatures {
  /** Event ids are unique across the whole store, not only at the batch's places (default: true). */
  storeWideEventIds?: true | string;
}

const tag = (): string => randomUUID().slice(0, 8);

/** A time long before any test runs, with milliseconds, so a store clock cannot pass for it. */
const LONG_AGO = Date.parse('2021-03-04T05:06:07.089Z');

function imported(stream: string, revision: number, createdAtMs: number, extra: Partial<ImportedEvent> = {}): ImportedEvent {
  const data: JsonObject = { revision, nested: { list: [1, 'two', null], flag: true } };
  return {
    id: randomUUID(),
    stream,
    revision,
    type: `imported.r${revision}`,
    tenant: `tenant-of-${stream}`,
    data,
    metadata: { correlationId: `correlation-${stream}`, causationId: 'cause', actor: 'exporter' },
    createdAt: new Date(createdAtMs),
    ...extra,
  };
}

const withoutPosition = ({ position: _position, ...rest }: StoredEvent): ImportedEvent => rest;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the import to be refused');
    },
    (error: unknown) => error,
  );
}

async function readFrom(store: EventStore, fromPosition: number): Promise<StoredEvent[]> {
  const page = await store.readAll({ fromPosition, maxCount: 1000 });
  expect(page.isEnd).toBe(true);
  return page.events;
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The import cases, run on the store `current()` returns (initialised, shared with other cases). */
export function importContractCases(current: () => EventStore, features: ImportContractFeatures = {}): void {
  const importer = (): EventStore & EventImporter => {
    const store = current();
    if (!canImportEvents(store)) throw new Error(`The ${store.kind} store has no importEvents()`);
    return store;
  };
  const storeWideIds = features.storeWideEventIds === undefined || features.storeWideEventIds === true;

  it('stores a batch in its order with its ids, streams, revisions, data, metadata, tenants and createdAt', async () => {
    const store = importer();
    const [a, b] = [`import-a-${tag()}`, `import-b-${tag()}`];
    const start = (await store.headPosition()) + 1;
    const received: StoredEvent[] = [];
    const subscription = store.subscribe({ fromPosition: start }, (events) => void received.push(...events));
    try {
      const batch = [
        imported(a, 0, LONG_AGO),
        imported(a, 1, LONG_AGO),
        imported(b, 0, LONG_AGO + 1_234),
        imported(a, 2, LONG_AGO + 86_400_001),
        // Times need not increase with the log: they are whatever the source store recorded.
        imported(b, 1, LONG_AGO - 5_000, { tenant: 'another-tenant', metadata: {} }),
      ];
      expect(await store.importEvents(batch)).toEqual({ imported: 5, alreadyStored: 0 });

      const log = await readFrom(store, start);
      expect(log.map(withoutPosition)).toEqual(batch);
      for (let i = 1; i < log.length; i += 1) expect(log[i].position).toBeGreaterThan(log[i - 1].position);
      expect(await store.headPosition()).toBe(log[log.length - 1].position);
      expect((await store.readStream(a)).map((event) => [event.revision, event.createdAt.toISOString()])).toEqual([
        [0, '2021-03-04T05:06:07.089Z'],
        [1, '2021-03-04T05:06:07.089Z'],
        [2, '2021-03-05T05:06:07.090Z'],
      ]);
      await waitFor(() => received.length >= 5, 'the imported events on a subscription');
      expect(received.map((event) => event.id)).toEqual(batch.map((event) => event.id));
    } finally {
      await subscription.close();
    }
  });

  it('refuses an event that does not continue its stream, storing nothing of the batch', async () => {
    const store = importer();
    const [c, d, e] = [`import-c-${tag()}`, `import-d-${tag()}`, `import-e-${tag()}`];
    await store.append(e, [{ type: 'e.appended', tenant: 't', data: {} }, { type: 'e.appended', tenant: 't', data: {} }], { expectedRevision: 'no_stream' });
    const head = await store.headPosition();
    const refusals: Array<[ImportedEvent[], { stream: string; revision: number; nextRevision: number }]> = [
      [[imported(c, 0, LONG_AGO), imported(d, 0, LONG_AGO), imported(c, 2, LONG_AGO)], { stream: c, revision: 2, nextRevision: 1 }],
      [[imported(c, 0, LONG_AGO), imported(c, 0, LONG_AGO)], { stream: c, revision: 0, nextRevision: 1 }],
      [[imported(c, 1, LONG_AGO)], { stream: c, revision: 1, nextRevision: 0 }],
      [[imported(e, 1, LONG_AGO)], { stream: e, revision: 1, nextRevision: 2 }],
      [[imported(c, 0, LONG_AGO), imported(d, 0, LONG_AGO), imported(e, 3, LONG_AGO)], { stream: e, revision: 3, nextRevision: 2 }],
    ];
    for (const [batch, expected] of refusals) {
      const error = await rejection(store.importEvents(batch));
      expect(error).toBeInstanceOf(ImportOutOfOrderError);
      const refused = error as ImportOutOfOrderError;
      expect({ stream: refused.stream, revision: refused.revision, nextRevision: refused.nextRevision, code: refused.code }).toEqual({
        ...expected,
        code: 'IMPORT_OUT_OF_ORDER',
      });
      expect(batch.map((event) => event.id)).toContain(refused.eventId);
    }
    expect(await store.readStream(c)).toEqual([]);
    expect(await store.readStream(d)).toEqual([]);
    expect((await store.readStream(e)).map((event) => event.type)).toEqual(['e.appended', 'e.appended']);
    expect(await store.headPosition()).toBe(head);
  });

  it('leaves events already stored as given, so an interrupted import can run again', async () => {
    const store = importer();
    const [f, g] = [`import-f-${tag()}`, `import-g-${tag()}`];
    const start = (await store.headPosition()) + 1;
    const [f0, f1, g0, f2, g1] = [imported(f, 0, LONG_AGO), imported(f, 1, LONG_AGO + 1), imported(g, 0, LONG_AGO + 2), imported(f, 2, LONG_AGO + 3), imported(g, 1, LONG_AGO + 4)];
    expect(await store.importEvents([f0, f1, g0])).toEqual({ imported: 3, alreadyStored: 0 });
    expect(await store.importEvents([f0, f1, g0])).toEqual({ imported: 0, alreadyStored: 3 });
    expect(await store.importEvents([f1, g0, f2, g1])).toEqual({ imported: 2, alreadyStored: 2 });
    expect((await readFrom(store, start)).map(withoutPosition)).toEqual([f0, f1, g0, f2, g1]);

    if (storeWideIds) {
      const head = await store.headPosition();
      const elsewhere = `import-h-${tag()}`;
      for (const batch of [[imported(elsewhere, 0, LONG_AGO, { id: f2.id })], [imported(f, 3, LONG_AGO, { id: f0.id })], [imported(elsewhere, 0, LONG_AGO), { ...g1, revision: 2 }]]) {
        await expect(store.importEvents(batch)).rejects.toBeInstanceOf(DuplicateEventIdError);
      }
      expect(await store.readStream(elsewhere)).toEqual([]);
      expect(await store.headPosition()).toBe(head);
    }
  });

  it('lets appends continue an imported stream, and imports continue an appended one', async () => {
    const store = importer();
    const k = `import-k-${tag()}`;
    await store.importEvents([imported(k, 0, LONG_AGO), imported(k, 1, LONG_AGO), imported(k, 2, LONG_AGO + 10)]);
    const before = Date.now();
    const appended = await store.append(k, [{ type: 'k.appended', tenant: 't', data: {} }], { expectedRevision: 2 });
    expect(appended.nextExpectedRevision).toBe(3);
    expect(appended.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    const conflict = await rejection(store.append(k, [{ type: 'k.appended', tenant: 't', data: {} }], { expectedRevision: 'no_stream' }));
    expect(conflict).toBeInstanceOf(WrongExpectedRevisionError);
    expect((conflict as WrongExpectedRevisionError).actual).toBe(3);
    expect(await store.importEvents([imported(k, 4, LONG_AGO + 20)])).toEqual({ imported: 1, alreadyStored: 0 });

    const stream = await store.readStream(k);
    expect(stream.map((event) => event.revision)).toEqual([0, 1, 2, 3, 4]);
    expect(stream.map((event) => event.createdAt.getTime())).toEqual([LONG_AGO, LONG_AGO, LONG_AGO + 10, appended.createdAt.getTime(), LONG_AGO + 20]);
    for (let i = 1; i < stream.length; i += 1) expect(stream[i].position).toBeGreaterThan(stream[i - 1].position);
  });

  it('refuses invalid events, storing nothing, and takes an empty batch as a no-op', async () => {
    const store = importer();
    const m = `import-m-${tag()}`;
    const head = await store.headPosition();
    const valid = imported(m, 0, LONG_AGO);
    const invalid: ImportedEvent[][] = [
      [{ ...valid, id: 'not-a-uuid' }],
      [{ ...valid, stream: '' }],
      [{ ...valid, revision: -1 }],
      [{ ...valid, revision: 0.5 }],
      [{ ...valid, type: '' }],
      [{ ...valid, createdAt: new Date(Number.NaN) }],
      [{ ...valid, createdAt: new Date(Date.UTC(10_000, 0, 1)) }],
      [{ ...valid, data: [] as unknown as JsonObject }],
      [{ ...valid, metadata: null as unknown as JsonObject }],
      [{ ...valid, data: { text: 'nul \u0000 inside' } }],
      [valid, { ...imported(m, 1, LONG_AGO), id: valid.id }],
      Array.from({ length: MAX_EVENTS_PER_APPEND + 1 }, (_, revision) => imported(m, revision, LONG_AGO)),
    ];
    for (const batch of invalid) await expect(store.importEvents(batch)).rejects.toBeInstanceOf(InvalidAppendError);
    expect(await store.importEvents([])).toEqual({ imported: 0, alreadyStored: 0 });
    expect(await store.readStream(m)).toEqual([]);
    expect(await store.headPosition()).toBe(head);
  });
}

/** The import cases on a store of their own (`open` returns an initialised store over empty storage). */
export function describeEventImportContract(name: string, open: () => Promise<{ store: EventStore; cleanup(): Promise<void> }>, features: ImportContractFeatures = {}): void {
  describe(`EventStore import contract: ${name}`, () => {
    let handle: { store: EventStore; cleanup(): Promise<void> };
    beforeAll(async () => {
      handle = await open();
    });
    afterAll(async () => {
      await handle?.cleanup();
    });
    importContractCases(() => handle.store, features);
  });
}
