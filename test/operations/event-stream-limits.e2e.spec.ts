import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { EventStreamErrorId, OpenEventStreams } from '../../src/event-stream/event-stream.controller';
import { ApiClient } from '../support/api';
import { startTestApp, type TestApp } from '../support/test-app';
import { SseClient } from './support/sse-client';

describe('event stream limits', () => {
  let testApp: TestApp;
  let server: Server;
  const clients: SseClient[] = [];

  beforeAll(async () => {
    testApp = await startTestApp('sqlite', {}, { eventStreamMaxPerTenant: 2, eventStreamMaxTotal: 3 });
    server = testApp.app.getHttpServer() as Server;
  });
  afterAll(async () => {
    for (const client of clients.splice(0)) client.close();
    await testApp.close();
  });

  async function open(api: ApiClient): Promise<SseClient> {
    const client = await SseClient.open(server, '/v3alpha/events', { authorization: `Bearer ${api.token}` });
    clients.push(client);
    return client;
  }

  async function expectRefused(api: ApiClient, id: string): Promise<void> {
    const refused = await open(api);
    expect(refused.status).toBe(429);
    expect(JSON.parse(await refused.body())).toMatchObject({ code: 8, details: [{ id }] });
  }

  it('caps the streams of one instance and of the replica with 429 code 8, and frees a place when a stream ends', async () => {
    const [first, second, third] = await Promise.all([1, 2, 3].map(() => ApiClient.of(testApp, `instance-${randomUUID()}`)));
    const streams = testApp.app.get(OpenEventStreams);
    const a1 = await open(first);
    const a2 = await open(first);
    expect([a1.status, a2.status]).toEqual([200, 200]);
    await expectRefused(first, EventStreamErrorId.tenantLimit);

    expect((await open(second)).status).toBe(200);
    await expectRefused(third, EventStreamErrorId.totalLimit);
    // The API itself keeps answering every instance.
    expect((await third.listTargets()).status).toBe(200);
    await third.newTarget('still-served');

    a1.close();
    const deadline = Date.now() + 5_000;
    while (streams.list().length > 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const admitted = await open(third);
    expect(admitted.status).toBe(200);
    // The newcomer's stream works: it receives its instance's events.
    const messages = await admitted.waitForMessages(1);
    expect(messages[0].event).toBe('target.name.reserved');
  });
});
