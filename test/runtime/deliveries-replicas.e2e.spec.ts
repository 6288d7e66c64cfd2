import { randomUUID } from 'node:crypto';
import type { PublishedEvent } from '../../src/runtime/domain/published-event';
import { EventPublisher } from '../../src/runtime/publish/event-publisher';
import { seriesValue } from '../operations/support/metrics-text';
import { ApiClient } from '../support/api';
import { startReplica, startTestApp, type TestApp } from '../support/test-app';
import { WebhookServer } from './webhook-server';

const LOOPBACK = ['127.0.0.0/8', '::1/128'];

const published = (eventType = 'user.human.added'): PublishedEvent => ({
  id: randomUUID(),
  aggregateId: 'user-1',
  aggregateType: 'user',
  sequence: 1,
  eventType,
  createdAt: '2026-12-03T10:00:00.000000000Z',
  payload: {},
});

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('event deliveries shared by two replicas (postgres)', () => {
  let primary: TestApp;
  let replica: TestApp;
  let hooks: WebhookServer;

  beforeAll(async () => {
    primary = await startTestApp('postgres', { targetAllowedNetworks: LOOPBACK });
    replica = await startReplica(primary);
    hooks = await WebhookServer.start();
  });
  afterAll(async () => {
    await replica.close();
    await primary.close();
    await hooks.close();
  });

  it('delivers each delivery once, whichever replica records and sends it', async () => {
    const api = await ApiClient.of(primary, `instance-${randomUUID()}`);
    const [first, second] = ['/first', '/second'];
    // A slow answer keeps deliveries in flight on both replicas at once: with 4 calls per target
    // at a time, one replica alone would take over a second, well past the other's 250 ms poll
    // (at 5 ms it could send all 200 before the other looked, and did under load).
    for (const path of [first, second]) hooks.on(path, (_call, response) => setTimeout(() => response.end(), 50));
    const targets = [
      await api.newTarget(`a-${randomUUID()}`, { restWebhook: { interruptOnError: false }, endpoint: hooks.url(first), timeout: '5s' }),
      await api.newTarget(`b-${randomUUID()}`, { restWebhook: { interruptOnError: false }, endpoint: hooks.url(second), timeout: '5s' }),
    ];
    expect((await api.setExecution({ condition: { event: { group: 'user' } }, targets: targets.map((target) => ({ target })) })).status).toBe(200);

    const events = Array.from({ length: 100 }, () => published());
    await Promise.all([
      primary.app.get(EventPublisher).publish(api.instanceId, 'host', events.slice(0, 50)),
      replica.app.get(EventPublisher).publish(api.instanceId, 'host', events.slice(50)),
    ]);
    await until(() => hooks.calls.length >= 200, '200 deliveries');
    await new Promise((resolve) => setTimeout(resolve, 500));

    const keys = hooks.calls.map((call) => call.headers['idempotency-key'] as string);
    expect(keys).toHaveLength(200);
    expect(new Set(keys).size).toBe(200);
    expect(new Set(keys)).toEqual(new Set(events.flatMap((event) => targets.map((target) => `${event.id}/${target}`))));
    // Both replicas' workers took part.
    const delivered = await Promise.all([primary, replica].map(async (app) => seriesValue((await app.management().get('/metrics')).text, 'actions_event_deliveries_total', { outcome: 'delivered' }) ?? 0));
    expect(delivered[0]! + delivered[1]!).toBe(200);
    expect(Math.min(...delivered)).toBeGreaterThan(0);
  });
});

describe('event deliveries past DELIVERY_MAX_AGE (sqlite)', () => {
  let testApp: TestApp;
  let hooks: WebhookServer;

  beforeAll(async () => {
    testApp = await startTestApp('sqlite', { targetAllowedNetworks: LOOPBACK }, { deliveryMaxAgeMs: 300, deliveryRetryInitialMs: 1_000, deliveryMaxAttempts: 5 });
    hooks = await WebhookServer.start();
  });
  afterAll(async () => {
    await testApp.close();
    await hooks.close();
  });

  it('drops a delivery still failing when it grows older than the maximum age, and counts it', async () => {
    const api = await ApiClient.of(testApp, `instance-${randomUUID()}`);
    hooks.answer('/down', 503);
    const target = await api.newTarget(`t-${randomUUID()}`, { restWebhook: { interruptOnError: false }, endpoint: hooks.url('/down'), timeout: '5s' });
    expect((await api.setExecution({ condition: { event: { all: true } }, targets: [{ target }] })).status).toBe(200);
    await testApp.app.get(EventPublisher).publish(api.instanceId, 'host', [published('org.added')]);

    const dropped = async (): Promise<number> => seriesValue((await testApp.management().get('/metrics')).text, 'actions_dropped_deliveries_total') ?? 0;
    const deadline = Date.now() + 10_000;
    while ((await dropped()) < 2) {
      if (Date.now() > deadline) throw new Error(`dropped ${await dropped()} deliveries, not 2`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The execution's own set event and the published one: each tried once, then too old to retry.
    expect(hooks.callsTo('/down')).toHaveLength(2);
    const pending = await testApp.http().get('/runtime/v1/deliveries?state=pending').set('Authorization', `Bearer ${api.token}`);
    expect(pending.body).toEqual({ deliveries: [] });
  });
});
