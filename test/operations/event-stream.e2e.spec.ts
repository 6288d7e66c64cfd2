import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { StoredEvent } from '@app/event-store';
import { OpenEventStreams } from '../../src/event-stream/event-stream.controller';
import { ApiClient } from '../support/api';
import { STORE_SETUPS, startTestApp, storedEvents, type TestApp } from '../support/test-app';
import { SseClient } from './support/sse-client';

const HEARTBEAT_MS = 100;

describe.each(STORE_SETUPS)('event stream for external subscribers (%s)', (setup) => {
  let testApp: TestApp;
  let server: Server;
  let api: ApiClient;
  let other: ApiClient;
  const clients: SseClient[] = [];

  beforeAll(async () => {
    process.env.EVENT_STREAM_HEARTBEAT_MS = String(HEARTBEAT_MS);
    testApp = await startTestApp(setup);
    delete process.env.EVENT_STREAM_HEARTBEAT_MS;
    server = testApp.app.getHttpServer() as Server;
    api = await ApiClient.of(testApp, `instance-${randomUUID()}`, { subject: 'sse-user' });
    other = await ApiClient.of(testApp, `instance-${randomUUID()}`);
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(() => testApp.close());

  async function open(path: string, headers: Record<string, string> = {}, token = api.token): Promise<SseClient> {
    const client = await SseClient.open(server, path, { authorization: `Bearer ${token}`, ...headers });
    clients.push(client);
    return client;
  }

  const tenantEvents = (): Promise<StoredEvent[]> => storedEvents(testApp, { tenant: api.instanceId });
  /** The stored events' ids, as the messages carry them in their data. */
  const eventIdsOf = (messages: Array<{ data: string }>): string[] => messages.map((message) => (JSON.parse(message.data) as { id: string }).id);

  it('sends the stored events of the caller instance, then new ones as they are appended', async () => {
    await api.newTarget(`first-${randomUUID()}`);
    await other.newTarget('elsewhere');
    const stored = await tenantEvents();
    const client = await open('/v3alpha/events?fromPosition=0');
    expect(client.status).toBe(200);
    expect(client.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const caughtUp = await client.waitForMessages(stored.length);
    expect(eventIdsOf(caughtUp)).toEqual(stored.map((event) => event.id));

    const created = await api.newTarget(`second-${randomUUID()}`);
    const after = await tenantEvents();
    const messages = await client.waitForMessages(after.length);
    expect(eventIdsOf(messages)).toEqual(after.map((event) => event.id));
    const added = after.find((event) => event.type === 'target.added' && event.stream.endsWith(created))!;
    const message = messages.find((candidate) => eventIdsOf([candidate])[0] === added.id)!;
    expect(message.event).toBe('target.added');
    expect(JSON.parse(message.data)).toEqual({
      id: added.id,
      type: 'target.added',
      stream: added.stream,
      aggregate: { type: 'target', id: created, resourceOwner: api.instanceId },
      revision: 0,
      sequence: '1',
      cursor: message.id,
      createdAt: added.createdAt.toISOString(),
      data: added.data,
      metadata: { actor: 'sse-user', correlationId: expect.any(String), causationId: expect.any(String) },
    });
  });

  it('resumes after Last-Event-ID with exactly the events missed meanwhile', async () => {
    await api.newTarget(`before-${randomUUID()}`);
    const first = await open('/v3alpha/events');
    const seenEvents = await tenantEvents();
    const seen = await first.waitForMessages(seenEvents.length);
    first.close();
    const lastSeen = seen[seen.length - 1].id!;

    await api.newTarget(`missed-1-${randomUUID()}`);
    await other.newTarget(`other-${randomUUID()}`);
    await api.newTarget(`missed-2-${randomUUID()}`);
    const missed = (await tenantEvents()).slice(seenEvents.length);
    expect(missed.length).toBeGreaterThanOrEqual(2);

    const resumed = await open('/v3alpha/events?fromPosition=0', { 'last-event-id': lastSeen });
    const messages = await resumed.waitForMessages(missed.length);
    // Nothing more arrives: a heartbeat goes by with no further message.
    const heartbeats = resumed.comments.length;
    await resumed.waitUntil(() => resumed.comments.length > heartbeats + 1, 5_000, 'two heartbeats');
    expect(eventIdsOf(resumed.messages)).toEqual(missed.map((event) => event.id));
    expect(messages).toEqual(resumed.messages);
  });

  it('keeps idle streams open with heartbeat comments', async () => {
    const client = await open(`/v3alpha/events?fromPosition=${(await testApp.store.headPosition()) + 1}`);
    await client.waitUntil(() => client.comments.filter((comment) => comment === 'keep-alive').length >= 2, 5_000, 'two heartbeats');
    expect(client.messages).toEqual([]);
  });

  it('closes the store subscription when the client disconnects', async () => {
    const streams = testApp.app.get(OpenEventStreams);
    const client = await open('/v3alpha/events');
    await client.waitUntil(() => streams.list().length === 1, 5_000, 'the stream to open');
    client.close();
    const deadline = Date.now() + 5_000;
    while (streams.list().length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(streams.list()).toEqual([]);
  });

  it('shows each event only to a token that may read its aggregate', async () => {
    const tenant = await ApiClient.of(testApp, `instance-${randomUUID()}`);
    const targetId = await tenant.newTarget(`seen-by-target-readers-${randomUUID()}`);
    const set = await tenant.setExecution({ condition: { request: { all: true } }, targets: [{ target: targetId }] });
    expect(set.status).toBe(200);
    const stored = await storedEvents(testApp, { tenant: tenant.instanceId });
    const categoryOf = (type: string | undefined): string => (type ?? '').split('.')[0];
    /** The types a reader with `permissions` receives: `expected` messages, then nothing for a few heartbeats. */
    const streamFor = async (permissions: string[], expected: number): Promise<string[]> => {
      const reader = await ApiClient.of(testApp, tenant.instanceId, { roles: [], permissions });
      const client = await open('/v3alpha/events', {}, reader.token);
      expect(client.status).toBe(200);
      await client.waitForMessages(expected);
      const heartbeats = client.comments.length;
      await client.waitUntil(() => client.comments.length >= heartbeats + 3, 5_000, 'three more heartbeats');
      return client.messages.map((message) => message.event ?? '');
    };
    expect(await streamFor(['execution.read'], 1)).toEqual(['execution.v2.set']);
    const targetsOnly = await streamFor(['execution.target.read'], stored.length - 1);
    expect(targetsOnly.length).toBe(stored.length - 1);
    expect(new Set(targetsOnly.map(categoryOf))).toEqual(new Set(['target']));
    expect((await streamFor(['execution.read', 'execution.target.read'], stored.length)).length).toBe(stored.length);
  });

  it('needs a token granting execution.read or execution.target.read', async () => {
    const anonymous = await SseClient.open(server, '/v3alpha/events', {});
    clients.push(anonymous);
    expect(anonymous.status).toBe(401);
    const writer = await ApiClient.of(testApp, api.instanceId, { roles: [], permissions: ['execution.write'] });
    const refused = await open('/v3alpha/events', {}, writer.token);
    expect(refused.status).toBe(403);
    expect(JSON.parse(await refused.body())).toMatchObject({ code: 7, details: [{ id: 'AUTH-5mWD2' }] });
  });

  it('refuses a position that is not a non-negative integer, and a Last-Event-ID that is no id of its messages', async () => {
    for (const [path, headers] of [
      ['/v3alpha/events?fromPosition=-1', {}],
      ['/v3alpha/events?fromPosition=abc', {}],
      ['/v3alpha/events', { 'last-event-id': '1e3' }],
      ['/v3alpha/events', { 'last-event-id': 'AAAAAAAAAAAAAAAAAAAAAA' }],
    ] as const) {
      const client = await open(path, headers);
      expect(client.status).toBe(400);
      expect(JSON.parse(await client.body())).toMatchObject({ code: 3 });
    }
  });

  if (setup === 'sqlite') {
    it('reads the log no faster than a slow client takes it', async () => {
      const tenant = `bulk-${randomUUID()}`;
      const reader = await ApiClient.of(testApp, tenant);
      const padding = 'x'.repeat(1000);
      for (let batch = 0; batch < 100; batch += 1) {
        const events = Array.from({ length: 100 }, (_, index) => ({ type: 'bulk.added', tenant, data: { index: batch * 100 + index, padding } }));
        // In execution streams, which the reader may see (the projection ignores the type).
        await testApp.store.append(`execution:${tenant}:bulk-${batch}`, events, { expectedRevision: 'no_stream' });
      }
      const head = await testApp.store.headPosition();
      const client = await open('/v3alpha/events', {}, reader.token);
      client.pause();
      await new Promise((resolve) => setTimeout(resolve, 500));
      const [session] = testApp.app.get(OpenEventStreams).list();
      // About 10 MB of events: socket buffers hold a fraction, the rest stays unread in the store.
      expect(session.position).toBeLessThan(head - 2_000);
      client.resume();
      const messages = await client.waitForMessages(10_000, 20_000);
      expect(JSON.parse(messages[9_999].data).data.index).toBe(9_999);
    });
  }
});
