import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StoreKind } from '../../bench/support/storage';
import { reportFigures } from './support/report';
import { ServiceUnderTest } from './support/service-under-test';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A target on loopback that counts every delivery it receives by its Idempotency-Key. */
async function countingTarget(): Promise<{ server: Server; url: string; received: Map<string, number> }> {
  const received = new Map<string, number>();
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const key = String(request.headers['idempotency-key']);
      received.set(key, (received.get(key) ?? 0) + 1);
      // A short answer time keeps deliveries in flight when the service dies.
      setTimeout(() => response.end(), 2);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

describe.each<StoreKind>(['sqlite', 'postgres'])('kill -9 of the service during event deliveries (%s)', (kind) => {
  let sut: ServiceUnderTest;
  let target: Awaited<ReturnType<typeof countingTarget>>;

  beforeAll(async () => {
    target = await countingTarget();
    sut = await ServiceUnderTest.start(kind, {
      env: { TARGET_ALLOWED_NETWORKS: '127.0.0.0/8', DELIVERY_RETRY_INITIAL_MS: '50', DELIVERY_CLAIM_MS: '2000' },
    });
  });
  afterAll(async () => {
    await sut.close();
    target.server.closeAllConnections();
    await new Promise((resolve) => target.server.close(resolve));
  });

  it('delivers every stored event to every target at least once, repeats counted', async () => {
    const api = await sut.client(`fault-deliveries-${kind}`);
    const targetIds: string[] = [];
    for (const name of ['first', 'second']) {
      const created = await api.request<{ id: string }>('POST', '/v3alpha/targets', { name, restWebhook: { interruptOnError: false }, timeout: '5s', endpoint: target.url });
      expect(created.status).toBe(201);
      targetIds.push(created.body.id);
    }
    expect((await api.setExecution({ event: { group: 'fault' } }, targetIds)).status).toBe(200);

    // Publishers in a loop, until the process dies under them.
    let publishing = true;
    let acknowledged = 0;
    const publisher = async (): Promise<void> => {
      while (publishing) {
        const events = Array.from({ length: 10 }, () => ({
          id: randomUUID(),
          aggregateId: 'a-1',
          aggregateType: 'fault',
          sequence: 1,
          eventType: 'fault.happened',
          createdAt: new Date().toISOString(),
          payload: { n: 1 },
        }));
        try {
          const answer = await api.request('POST', '/runtime/v1/events', { events });
          if (answer.status === 202) acknowledged += events.length;
        } catch {
          return;
        }
      }
    };
    const publishers = [publisher(), publisher(), publisher()];
    // Kill once deliveries are under way with more published behind them, however loaded the machine.
    const delivered = (): number => [...target.received.values()].reduce((sum, count) => sum + count, 0);
    const waitUntil = Date.now() + 30_000;
    while ((acknowledged < 100 || delivered() < 20) && Date.now() < waitUntil) await sleep(20);
    const deliveredBeforeKill = delivered();
    const killed = await sut.process.kill();
    publishing = false;
    await Promise.all(publishers);
    expect(killed.signal).toBe('SIGKILL');
    expect(acknowledged).toBeGreaterThanOrEqual(100);
    expect(deliveredBeforeKill).toBeGreaterThanOrEqual(20);

    await sut.restart();
    const stored = (await sut.settledEvents({ tenant: api.instanceId, types: ['runtime.event.published'] })).map((event) => String(event.data.id));
    expect(stored.length).toBeGreaterThanOrEqual(acknowledged);
    const expected = stored.flatMap((id) => targetIds.map((targetId) => `${id}/${targetId}`));
    const deadline = Date.now() + 60_000;
    while (expected.some((key) => !target.received.has(key))) {
      if (Date.now() > deadline) throw new Error(`${expected.filter((key) => !target.received.has(key)).length} of ${expected.length} deliveries never arrived`);
      await sleep(100);
    }
    const repeats = [...target.received.values()].reduce((sum, count) => sum + count - 1, 0);
    // At least once: repeats are allowed, but only of deliveries in flight at the kill.
    expect(repeats).toBeLessThan(200);
    reportFigures(`kill -9 during deliveries (${kind})`, {
      eventsAcknowledged: acknowledged,
      eventsStored: stored.length,
      deliveriesExpected: expected.length,
      deliveredBeforeKill,
      deliveriesReceived: delivered(),
      repeats,
      restartToFirst200Ms: Math.round(sut.process.startupMs),
    });
  });
});
