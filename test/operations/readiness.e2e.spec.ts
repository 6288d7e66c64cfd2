import { randomUUID } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { ProjectionEngine } from '@app/eventsourcing';
import type { DataSource } from 'typeorm';
import { READ_MODEL } from '../../src/persistence/persistence.tokens';
import { EventDeliveries } from '../../src/runtime/deliveries/event-deliveries';
import { ServiceSubscribers } from '../../src/subscribers/service-subscribers';
import { ApiClient, SESSION_LIST, expectError } from '../support/api';
import { STORE_SETUPS, TEST_DATABASE_URL, startTestApp, type TestApp } from '../support/test-app';

/** A loopback port nothing listens on (bound, then released). */
function refusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server: Server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe.each(STORE_SETUPS)('readiness when a store is down (%s)', (setup) => {
  let testApp: TestApp;

  beforeEach(async () => {
    testApp = await startTestApp(setup);
  });
  afterEach(() => testApp.close());

  it('reports the event store down (503 with details) while staying live', async () => {
    expect((await testApp.management().get('/readyz')).status).toBe(200);
    await testApp.store.close();
    const ready = await testApp.management().get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'error', error: { eventStore: { status: 'down' } }, details: { readModel: { status: 'up' } } });
    const live = await testApp.http().get('/healthz');
    expect(live.status).toBe(200);
  });

  it('reports the read-model database down', async () => {
    await testApp.app.get<DataSource>(READ_MODEL).destroy();
    const ready = await testApp.management().get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'error', error: { readModel: { status: 'down' } } });
  });
});

describe('an EventStoreDB store unreachable at start', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    const port = await refusedPort();
    testApp = await startTestApp('sqlite', { eventStore: 'eventstoredb', eventStoreConnectionString: `esdb://127.0.0.1:${port}?tls=false` });
  });
  afterAll(() => testApp.close());

  it('starts anyway: live, not ready, and answers writes 503 code 14', async () => {
    expect((await testApp.http().get('/healthz')).status).toBe(200);
    const ready = await testApp.management().get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ error: { eventStore: { status: 'down' } }, details: { readModel: { status: 'up' } } });
    const api = await ApiClient.of(testApp, `instance-${randomUUID()}`);
    expectError(await api.setExecution({ condition: { request: { method: SESSION_LIST } }, targets: [{ target: '1' }] }), 503, 14);
    expectError(await api.createTarget({ name: 'x', restWebhook: {}, timeout: '1s', endpoint: 'https://example.com' }), 503, 14);
    expect((await testApp.management().get('/metrics')).status).toBe(200);
  });
});

describe.each(STORE_SETUPS)('readiness and projection lag (%s)', (setup) => {
  let testApp: TestApp;

  beforeAll(async () => {
    process.env.READINESS_MAX_LAG_EVENTS = '5';
    process.env.READINESS_CAUGHT_UP_WITHIN_MS = '1';
    testApp = await startTestApp(setup);
    delete process.env.READINESS_MAX_LAG_EVENTS;
    delete process.env.READINESS_CAUGHT_UP_WITHIN_MS;
  });
  afterAll(() => testApp.close());

  it('is not ready while a projection trails by more events than the bound, and ready again once caught up', async () => {
    const engine = testApp.app.get(ProjectionEngine);
    expect((await testApp.management().get('/readyz')).status).toBe(200);
    await engine.stop();
    const tenant = `instance-${randomUUID()}`;
    for (let index = 0; index < 6; index += 1) {
      await testApp.store.append(`target:${tenant}:t${index}`, [{ type: 'target.removed', tenant, data: {} }], { expectedRevision: 'any' });
    }
    const deadline = Date.now() + 10_000;
    let ready = await testApp.management().get('/readyz');
    // A PostgreSQL head can trail the appends for a moment.
    while (ready.status === 200 && Date.now() < deadline) ready = await testApp.management().get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.error.projections).toMatchObject({ status: 'down', maxLagEvents: 5, targets: { ready: false, lagEvents: 6 } });
    await engine.start();
    await engine.catchUp();
    expect((await testApp.management().get('/readyz')).status).toBe(200);
  });
});

describe.each(STORE_SETUPS)('subscribers in readiness (%s)', (setup) => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp(setup);
  });
  afterAll(() => testApp.close());

  it('shows each subscriber\'s lag in events and who holds its lease, without making the replica unready', async () => {
    const subscribers = testApp.app.get(ServiceSubscribers);
    const manager = await subscribers.get();
    await manager.catchUp();
    const runnerId = manager.runnerId;
    const readyz = async () => (await testApp.management().get('/readyz')).body as { status: string; details: { subscribers: { status: string } & Record<string, unknown> } };
    // Held here once the runner has claimed it (it claims on start and on every poll).
    let subscriberDetails = (await readyz()).details.subscribers;
    for (const deadline = Date.now() + 5_000; (subscriberDetails['execution-target-cleanup'] as { heldHere?: boolean })?.heldHere !== true && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      subscriberDetails = (await readyz()).details.subscribers;
    }
    expect(subscriberDetails).toEqual({
      status: 'up',
      'execution-target-cleanup': { position: expect.any(Number), lagEvents: 0, leaseHolder: runnerId, leaseUntil: expect.any(String), heldHere: true, failedEvents: 0 },
      'delivery-recorder': { position: expect.any(Number), lagEvents: expect.any(Number) },
    });

    await subscribers.stop();
    const tenant = `instance-${randomUUID()}`;
    for (let index = 0; index < 3; index += 1) {
      await testApp.store.append(`target:${tenant}:t${index}`, [{ type: 'target.removed', tenant, data: {} }], { expectedRevision: 'any' });
    }
    // A PostgreSQL head can trail the appends for a moment.
    let stopped = await readyz();
    for (const deadline = Date.now() + 10_000; (stopped.details.subscribers['execution-target-cleanup'] as { lagEvents: number }).lagEvents < 3 && Date.now() < deadline; ) {
      stopped = await readyz();
    }
    expect(stopped.status).toBe('ok');
    // Three events behind, however far apart their positions are (PostgreSQL derives them from transaction ids).
    expect(stopped.details.subscribers['execution-target-cleanup']).toMatchObject({ lagEvents: 3, leaseHolder: null, leaseUntil: null, heldHere: false });
    await manager.start();
    await manager.catchUp();
    expect((await readyz()).details.subscribers['execution-target-cleanup']).toMatchObject({ lagEvents: 0 });
  });

  it('shows where the deliveries recorder stands and how many events it trails by', async () => {
    const readyz = async () => (await testApp.management().get('/readyz')).body as { status: string; details: { subscribers: Record<string, { position: number; lagEvents: number }> } };
    const recorderIn = async () => (await readyz()).details.subscribers['delivery-recorder'];
    const { recorder } = await testApp.app.get(EventDeliveries).get();
    let caughtUp = await recorderIn();
    for (const deadline = Date.now() + 10_000; caughtUp?.lagEvents !== 0 && Date.now() < deadline; caughtUp = await recorderIn()) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(caughtUp).toEqual({ position: expect.any(Number), lagEvents: 0 });

    await recorder.stop();
    const tenant = `instance-${randomUUID()}`;
    for (let index = 0; index < 3; index += 1) {
      await testApp.store.append(`target:${tenant}:r${index}`, [{ type: 'target.removed', tenant, data: {} }], { expectedRevision: 'any' });
    }
    let behind = await readyz();
    for (const deadline = Date.now() + 10_000; behind.details.subscribers['delivery-recorder']!.lagEvents < 3 && Date.now() < deadline; ) behind = await readyz();
    expect(behind.status).toBe('ok');
    expect(behind.details.subscribers['delivery-recorder']).toEqual({ position: caughtUp!.position, lagEvents: 3 });

    await recorder.start();
    let after = await recorderIn();
    for (const deadline = Date.now() + 10_000; after!.lagEvents !== 0 && Date.now() < deadline; after = await recorderIn()) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(after!.lagEvents).toBe(0);
    expect(after!.position).toBeGreaterThan(caughtUp!.position);
  });
});

/** Forwards a loopback port to the PostgreSQL server once started: the database "comes back". */
function startProxy(port: number, target: URL): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () =>
      resolve({
        close: () =>
          new Promise<void>((closed) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => closed());
          }),
      }),
    );
  });
}

describe('PostgreSQL unreachable at start', () => {
  let testApp: TestApp;
  let port: number;
  let proxy: { close(): Promise<void> } | undefined;

  beforeAll(async () => {
    port = await refusedPort();
    testApp = await startTestApp('postgres');
    const url = new URL(testApp.config.databaseUrl!);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    // The same database and schema, through a port where nothing listens yet.
    await testApp.app.close();
    testApp = await startTestApp('postgres', { databaseUrl: url.toString() });
  });
  afterAll(async () => {
    await testApp.close();
    await proxy?.close();
  });

  it('starts not ready, answers 503 code 14, and recovers once the database answers', async () => {
    expect((await testApp.http().get('/healthz')).status).toBe(200);
    const ready = await testApp.management().get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ error: { eventStore: { status: 'down' }, readModel: { status: 'down' } } });
    const api = await ApiClient.of(testApp, `instance-${randomUUID()}`);
    expectError(await api.createTarget({ name: 'x', restWebhook: {}, timeout: '1s', endpoint: 'https://example.com' }), 503, 14);
    // Reads while the database is down are checked on the built service (service-process spec):
    // here node-postgres's socket errors come from outside Jest's sandbox, which the error
    // filter's `instanceof Error` does not recognise.

    proxy = await startProxy(port, new URL(TEST_DATABASE_URL));
    const deadline = Date.now() + 20_000;
    while ((await testApp.management().get('/readyz')).status !== 200) {
      if (Date.now() > deadline) throw new Error('never became ready');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await api.createTarget({ name: 'after', restWebhook: {}, timeout: '1s', endpoint: 'https://example.com' })).status).toBe(201);
    expect((await api.listTargets()).body.result).toEqual([expect.objectContaining({ name: 'after' })]);
  });
});
