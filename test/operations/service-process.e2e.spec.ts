import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEventStore, type EventStore, type StoredEvent } from '@app/event-store';
import { ServiceProcess } from '../../bench/support/service-process';
import { repoRoot } from '../../bench/support/repo-root';
import { ServiceStorage } from '../../bench/support/storage';
import { signEmbeddedToken } from '../../src/auth';
import { streamName } from '../../src/common/domain/stream-name';
import { CLEANUP_ACTOR } from '../../src/subscribers/execution-target-cleanup';
import { STORE_SETUPS } from '../support/test-app';

jest.setTimeout(120_000);

/** The built service is what runs in the image: build it (incrementally) once for this file. */
beforeAll(() => {
  execFileSync(process.execPath, [join(repoRoot(), 'scripts', 'build.mjs'), '--quiet'], { stdio: 'inherit' });
});

function openStore(storage: ServiceStorage): Promise<EventStore> {
  return storage.kind === 'sqlite'
    ? createEventStore({ kind: 'sqlite', file: storage.eventsFile })
    : createEventStore({ kind: 'postgres', connectionString: storage.serverUrl!, schema: storage.schema });
}

interface Caller {
  instanceId: string;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

async function callerOf(service: ServiceProcess, storage: ServiceStorage, instanceId: string): Promise<Caller> {
  const token = await signEmbeddedToken(storage.dataDir, { instanceId, roles: ['IAM_OWNER'] });
  return {
    instanceId,
    async call(method, path, body) {
      const response = await fetch(service.url(path), {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
    },
  };
}

/** Events of every stream, once the store shows at least `atLeast` of them. */
async function allEvents(store: EventStore, predicate: (event: StoredEvent) => boolean = () => true): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for (let fromPosition = 0; ; ) {
    const page = await store.readAll({ fromPosition, maxCount: 1000 });
    events.push(...page.events.filter(predicate));
    if (page.isEnd) return events;
    fromPosition = page.nextPosition;
  }
}

describe.each(STORE_SETUPS)('the service process (%s)', (setup) => {
  let storage: ServiceStorage;
  const running: ServiceProcess[] = [];

  beforeEach(async () => {
    storage = await ServiceStorage.create(setup);
  });
  afterEach(async () => {
    for (const service of running.splice(0)) await service.kill();
    await storage.drop();
  });

  async function start(env: Record<string, string> = {}): Promise<ServiceProcess> {
    const service = await ServiceProcess.start({ storage, env, logLevel: 'info' });
    running.push(service);
    return service;
  }

  it('on SIGTERM under load, finishes what it acknowledged, loses none of it, and exits 0', async () => {
    const service = await start();
    const api = await callerOf(service, storage, `instance-${randomUUID()}`);
    const acknowledged: string[] = [];
    let stopping = false;
    let sent = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        sent += 1;
        try {
          const response = await api.call('POST', '/v3alpha/targets', { name: `t-${randomUUID()}`, restWebhook: {}, timeout: '5s', endpoint: 'https://example.com/hook' });
          if (response.status === 201) acknowledged.push((response.body as { id: string }).id);
          else if (!stopping) throw new Error(`unexpected ${response.status} ${JSON.stringify(response.body)}`);
        } catch (error) {
          // Refused or reset connections are expected once the port closes; nothing was acknowledged.
          if (!stopping) throw error;
          if (!service.running) return;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
    };
    const workers = Array.from({ length: 8 }, () => worker());
    while (acknowledged.length < 50) await new Promise((resolve) => setTimeout(resolve, 10));
    stopping = true;
    const exit = service.stop();
    await Promise.all(workers);
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(service.logTail(200)).toMatch(/"msg":"SIGTERM received: finishing requests in flight, then closing"[\s\S]*"msg":"Projections stopped"[\s\S]*"msg":"closed"/);
    expect(sent).toBeGreaterThan(acknowledged.length);

    const store = await openStore(storage);
    try {
      const added = new Set((await allEvents(store, (event) => event.type === 'target.added')).map((event) => event.stream));
      const missing = acknowledged.filter((id) => !added.has(streamName('target', api.instanceId, id)));
      expect(missing).toEqual([]);
    } finally {
      await store.close();
    }

    // And the restarted service serves them.
    const restarted = await start();
    const again = await callerOf(restarted, storage, api.instanceId);
    const listed = await again.call('POST', '/v3alpha/targets/search', { query: { limit: 10_000 } });
    expect((listed.body as { result: Array<{ targetId: string }> }).result.map((target) => target.targetId).sort()).toEqual(expect.arrayContaining(acknowledged.sort()));
  });

  it('a subscriber killed in the middle of its work resumes without losing an execution or changing one twice', async () => {
    const env = { SUBSCRIBER_LEASE_MS: '1000' };
    const first = await start(env);
    const instanceId = `instance-${randomUUID()}`;
    const api = await callerOf(first, storage, instanceId);
    const create = async (name: string): Promise<string> => {
      const response = await api.call('POST', '/v3alpha/targets', { name, restWebhook: {}, timeout: '5s', endpoint: 'https://example.com/hook' });
      expect(response.status).toBe(201);
      return (response.body as { id: string }).id;
    };
    const [doomed, kept] = [await create('doomed'), await create('kept')];
    const executions = 120;
    for (let index = 0; index < executions; index += 1) {
      const set = await api.call('PUT', '/v3alpha/executions', { condition: { event: { event: `user.event.${index}` } }, targets: [{ target: doomed }, { target: kept }] });
      expect(set.status).toBe(200);
    }
    expect((await api.call('DELETE', `/v3alpha/targets/${doomed}`)).status).toBe(200);

    const store = await openStore(storage);
    try {
      const cleanups = (): Promise<StoredEvent[]> => allEvents(store, (event) => event.type.startsWith('execution.') && event.metadata.actor === CLEANUP_ACTOR);
      let done = 0;
      while ((done = (await cleanups()).length) < 5) await new Promise((resolve) => setTimeout(resolve, 5));
      await first.kill();
      expect(done).toBeLessThan(executions);

      const second = await start(env);
      const deadline = Date.now() + 60_000;
      while ((await cleanups()).length < executions && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const changes = await cleanups();
      const perExecution = new Map<string, number>();
      for (const change of changes) perExecution.set(change.stream, (perExecution.get(change.stream) ?? 0) + 1);
      expect(perExecution.size).toBe(executions);
      expect([...perExecution.values()].every((count) => count === 1)).toBe(true);

      const again = await callerOf(second, storage, instanceId);
      const listed = await again.call('POST', '/v3alpha/executions/search', { query: { limit: 1000 }, queries: [{ targetQuery: { targetId: doomed } }] });
      expect(listed.body).toMatchObject({ result: [] });
      const withKept = await again.call('POST', '/v3alpha/executions/search', { query: { limit: 1000 }, queries: [{ targetQuery: { targetId: kept } }] });
      expect((withKept.body as { result: Array<{ targets: unknown[] }> }).result.map((execution) => execution.targets)).toEqual(
        Array.from({ length: executions }, () => [{ target: kept }]),
      );
    } finally {
      await store.close();
    }
  });
});

describe('the service with PostgreSQL unreachable at start', () => {
  let storage: ServiceStorage;
  let service: ServiceProcess | undefined;

  beforeEach(async () => {
    storage = await ServiceStorage.create('postgres');
  });
  afterEach(async () => {
    await service?.kill();
    await storage.drop();
  });

  it('starts, reports not ready, and answers reads and writes 503 code 14', async () => {
    // Port 1 on loopback refuses connections at once.
    service = await ServiceProcess.start({ storage, databaseVia: { host: '127.0.0.1', port: 1 } });
    const ready = await fetch(service.managementUrl('/readyz'));
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ error: { eventStore: { status: 'down' }, readModel: { status: 'down' } } });
    const api = await callerOf(service, storage, `instance-${randomUUID()}`);
    for (const [method, path, body] of [
      ['POST', '/v3alpha/targets', { name: 'x', restWebhook: {}, timeout: '1s', endpoint: 'https://example.com' }],
      ['POST', '/v3alpha/targets/search', {}],
      ['POST', '/v3alpha/executions/search', {}],
    ] as const) {
      const response = await api.call(method, path, body);
      expect({ path, status: response.status, code: (response.body as { code: number }).code }).toEqual({ path, status: 503, code: 14 });
    }
  });
});

describe('the service log', () => {
  let storage: ServiceStorage;
  let service: ServiceProcess | undefined;

  beforeEach(async () => {
    storage = await ServiceStorage.create('sqlite');
  });
  afterEach(async () => {
    await service?.kill();
    await storage.drop();
  });

  const logRecords = (file: string): Array<Record<string, unknown>> =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('is one JSON record per line, each request with its request id, route, status and caller', async () => {
    service = await ServiceProcess.start({ storage, logLevel: 'info' });
    const token = await signEmbeddedToken(storage.dataDir, { instanceId: 'log-instance', roles: ['IAM_OWNER'], subject: 'log-user' });
    const response = await fetch(service.url('/v3alpha/executions/methods'), { headers: { authorization: `Bearer ${token}`, 'x-request-id': 'req-log-1' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('req-log-1');
    // A client's mistake is logged at info with the error id it was answered with, on REST and Connect.
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const body = JSON.stringify({ condition: { event: { all: true } } });
    expect((await fetch(service.url('/v3alpha/executions'), { method: 'DELETE', headers: { ...headers, 'x-request-id': 'req-log-404' }, body })).status).toBe(404);
    const connect = await fetch(service.url('/zitadel.action.v3alpha.ActionService/DeleteExecution'), { method: 'POST', headers: { ...headers, 'x-request-id': 'req-log-connect' }, body });
    expect(connect.status).toBe(404);
    await service.stop();
    const records = logRecords(service.logFile);
    const completed = records.find((record) => record.requestId === 'req-log-1');
    expect(completed).toMatchObject({ level: 30, msg: 'request completed', caller: { sub: 'log-user', instance: 'log-instance' }, res: { statusCode: 200 } });
    expect(JSON.stringify(completed)).not.toContain(token);
    for (const requestId of ['req-log-404', 'req-log-connect']) {
      expect(records.find((record) => record.requestId === requestId)).toMatchObject({ level: 30, msg: 'request completed', errorId: 'COMMAND-suq2upd3rt', res: { statusCode: 404 } });
    }
    expect(records.some((record) => record.context === 'Projections' && record.msg === 'Projections started')).toBe(true);
  });

  it('respects LOG_LEVEL', async () => {
    service = await ServiceProcess.start({ storage, logLevel: 'warn' });
    expect((await fetch(service.url('/v3alpha/executions/methods'))).status).toBe(401);
    await service.stop();
    const records = logRecords(service.logFile);
    // Start-up, projections and the 401 (a client's mistake, logged at info) write nothing at warn.
    expect(records.filter((record) => Number(record.level) < 40)).toEqual([]);
    expect(records.filter((record) => record.msg === 'request completed')).toEqual([]);
  });
});
