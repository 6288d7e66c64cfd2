import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { ApiClient, SESSION_LIST } from './support/api';
import { SseClient } from './operations/support/sse-client';
import { STORE_SETUPS, startTestApp, storedEvents, type TestApp } from './support/test-app';

/** What one instance sees of the service must move with its own writes only, never with another's. */
describe.each(STORE_SETUPS)("an instance sees nothing of another's activity (%s)", (setup) => {
  let testApp: TestApp;
  let server: Server;
  let tenantA: ApiClient;
  let tenantB: ApiClient;
  const clients: SseClient[] = [];

  beforeAll(async () => {
    process.env.EVENT_STREAM_HEARTBEAT_MS = '100';
    testApp = await startTestApp(setup);
    delete process.env.EVENT_STREAM_HEARTBEAT_MS;
    server = testApp.app.getHttpServer() as Server;
  });
  beforeEach(async () => {
    tenantA = await ApiClient.of(testApp, `instance-a-${randomUUID()}`);
    tenantB = await ApiClient.of(testApp, `instance-b-${randomUUID()}`);
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(() => testApp.close());

  async function open(token: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = await SseClient.open(server, '/v3alpha/events', { authorization: `Bearer ${token}`, ...headers });
    clients.push(client);
    return client;
  }

  /** Tenant B's busy spell: targets created and executions set on them. */
  async function tenantBWrites(times: number): Promise<void> {
    for (let write = 0; write < times; write += 1) {
      const target = await tenantB.newTarget(`b-${write}-${randomUUID()}`);
      const set = await tenantB.setExecution({ condition: { request: { method: SESSION_LIST } }, targets: [{ target }] });
      expect(set.status).toBe(200);
    }
  }

  const listDetails = async (): Promise<unknown[]> => {
    const [executions, targets] = await Promise.all([tenantA.listExecutions({}), tenantA.listTargets({})]);
    expect([executions.status, targets.status]).toEqual([200, 200]);
    return [executions.body.details, targets.body.details];
  };

  it("keeps processedSequence and timestamp of list answers still while another instance writes", async () => {
    const target = await tenantA.newTarget(`a-${randomUUID()}`);
    await tenantA.setExecution({ condition: { request: { all: true } }, targets: [{ target }] });
    const before = await listDetails();

    await tenantBWrites(10);
    // The lists wait for this replica's newest write (tenant B's), so B's events are reduced by now.
    expect(await listDetails()).toEqual(before);
    // What they count: the instance's own events (one target added, one execution set).
    expect(before).toEqual([
      { totalResult: '1', processedSequence: '1', timestamp: expect.any(String) },
      { totalResult: '1', processedSequence: '1', timestamp: expect.any(String) },
    ]);

    // Its own writes move them: one more target.
    await tenantA.newTarget(`a-again-${randomUUID()}`);
    const [, targets] = (await listDetails()) as Array<{ processedSequence: string; timestamp: string }>;
    expect(targets.processedSequence).toBe('2');
    expect(Date.parse(targets.timestamp)).toBeGreaterThanOrEqual(Date.parse((before[1] as { timestamp: string }).timestamp));
  });

  it('gives event-stream messages ids that carry no log position, send nothing of another instance, and resume exactly', async () => {
    await tenantA.newTarget(`a-${randomUUID()}`);
    const ownEvents = async (): Promise<number> => (await storedEvents(testApp, { tenant: tenantA.instanceId })).length;
    const stream = await open(tenantA.token);
    const first = await stream.waitForMessages(await ownEvents());
    const ids = first.map((message) => message.id ?? '');
    for (const [index, message] of first.entries()) {
      expect(ids[index]).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(JSON.parse(message.data)).not.toHaveProperty('position');
      expect(JSON.parse(message.data).cursor).toBe(ids[index]);
    }
    const lastSeen = ids[ids.length - 1];

    await tenantBWrites(10);
    // Heartbeats go by, and not one message: tenant A's stream does not move.
    const heartbeats = stream.comments.length;
    await stream.waitUntil(() => stream.comments.length >= heartbeats + 3, 5_000, 'three heartbeats');
    expect(stream.messages.length).toBe(first.length);
    stream.close();

    // Another instance cannot use tenant A's ids.
    const foreign = await open(tenantB.token, { 'last-event-id': lastSeen });
    expect(foreign.status).toBe(400);
    expect(JSON.parse(await foreign.body())).toMatchObject({ code: 3 });

    // Missed while away: its own new events, exactly once each, nothing of B's.
    const missedTarget = await tenantA.newTarget(`a-missed-${randomUUID()}`);
    await tenantBWrites(2);
    const resumed = await open(tenantA.token, { 'last-event-id': lastSeen });
    expect(resumed.status).toBe(200);
    const missed = (await ownEvents()) - first.length;
    await resumed.waitForMessages(missed);
    const afterResume = resumed.comments.length;
    await resumed.waitUntil(() => resumed.comments.length >= afterResume + 2, 5_000, 'two heartbeats');
    expect(resumed.messages.length).toBe(missed);
    expect(resumed.messages.map((message) => JSON.parse(message.data).stream)).toContain(`target:${tenantA.instanceId}:${missedTarget}`);
    expect(resumed.messages.every((message) => !ids.includes(message.id ?? ''))).toBe(true);
    // Each event keeps its id: reading from the start again gives the same ids.
    const again = await open(tenantA.token);
    const replay = await again.waitForMessages(first.length + missed);
    expect(replay.map((message) => message.id)).toEqual([...ids, ...resumed.messages.map((message) => message.id)]);
  });
});
