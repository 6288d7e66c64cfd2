import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport } from '@connectrpc/connect-node';
import { ServiceProcess, freePort } from '../../bench/support/service-process';
import { bundledServiceEntry, repoRoot } from '../../bench/support/repo-root';
import { ServiceStorage } from '../../bench/support/storage';
import { signEmbeddedToken } from '../../src/auth';
import { ServerReflection } from '../../src/grpc/gen/grpc/reflection/v1/reflection_pb';
import { ActionService } from '../../src/grpc/gen/zitadel/action/v3alpha/action_service_pb';

jest.setTimeout(120_000);

/**
 * The bundle is what `npm start` and the image run. In it every module's `__dirname` is the
 * bundle's folder, so each file the service reads besides its code is asked for here, from the
 * running bundle: the default catalogue, the console, Swagger UI, the descriptors gRPC serves,
 * the SQLite checkpointer's worker thread.
 */
beforeAll(() => {
  execFileSync(process.execPath, [join(repoRoot(), 'scripts', 'build.mjs'), '--quiet'], { stdio: 'inherit' });
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('the bundled service', () => {
  let storage: ServiceStorage;
  let service: ServiceProcess;
  let token: string;

  beforeAll(async () => {
    storage = await ServiceStorage.create('sqlite');
    service = await ServiceProcess.start({ storage, entry: bundledServiceEntry() });
    token = await signEmbeddedToken(storage.dataDir, { instanceId: 'bundle', roles: ['IAM_OWNER'] });
  });
  afterAll(async () => {
    await service?.stop();
    await storage?.drop();
  });

  const get = (url: string, headers: Record<string, string> = {}): Promise<Response> => fetch(url, { headers, signal: AbortSignal.timeout(10_000) });

  it('is live and ready', async () => {
    expect((await get(service.url('/healthz'))).status).toBe(200);
    expect((await get(service.managementUrl('/readyz'))).status).toBe(200);
  });

  it('serves the console page and its script', async () => {
    const page = await get(service.url('/console/'));
    expect(page.status).toBe(200);
    const html = await page.text();
    const script = /src="\.?\/?(?:console\/)?(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await get(service.url(`/console/${script}`));
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect((await asset.text()).length).toBeGreaterThan(1_000);
  });

  it('serves Swagger UI with its assets, and the OpenAPI document', async () => {
    const ui = await get(service.url('/docs'));
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui-bundle.js');
    const bundle = await get(service.url('/docs/swagger-ui-bundle.js'));
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
    const document = await get(service.url('/docs-json'));
    expect(document.status).toBe(200);
    expect(Object.keys(((await document.json()) as { paths: object }).paths)).toContain('/v3alpha/targets');
  });

  it('answers from the default catalogue over REST, Connect and native gRPC', async () => {
    const rest = await get(service.url('/v3alpha/executions/services'), { authorization: `Bearer ${token}` });
    expect(rest.status).toBe(200);
    const services = ((await rest.json()) as { services: string[] }).services;
    expect(services).toContain('zitadel.session.v2.SessionService');

    const headers = { authorization: `Bearer ${token}` };
    const connect = createClient(ActionService, createConnectTransport({ baseUrl: service.url(''), httpVersion: '1.1' }));
    expect((await connect.listExecutionServices({}, { headers })).services).toEqual(services);
    const grpc = createClient(ActionService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${service.grpcPort}` }));
    expect((await grpc.listExecutionServices({}, { headers })).services).toEqual(services);
  });

  it('describes its services by reflection, from the descriptors built from the .proto files', async () => {
    const client = createClient(ServerReflection, createGrpcTransport({ baseUrl: `http://127.0.0.1:${service.grpcPort}` }));
    async function* ask() {
      yield { messageRequest: { case: 'fileContainingSymbol' as const, value: 'zitadel.action.v3alpha.ActionService' } };
    }
    const cases: string[] = [];
    for await (const response of client.serverReflectionInfo(ask())) cases.push(response.messageResponse.case ?? 'none');
    expect(cases).toEqual(['fileDescriptorResponse']);
  });

  it('checkpoints SQLite in its worker thread: the events file changes after a write, which the appends never copy there', async () => {
    const before = statSync(storage.eventsFile).mtimeMs;
    const created = await fetch(service.url('/v3alpha/targets'), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bundled', restWebhook: { interruptOnError: true }, timeout: '10s', endpoint: 'https://example.com/hook' }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(created.status).toBe(201);
    for (let waited = 0; statSync(storage.eventsFile).mtimeMs === before && waited < 5_000; waited += 50) await sleep(50);
    expect(statSync(storage.eventsFile).mtimeMs).toBeGreaterThan(before);
  });
});

describe('the bundled service failing to start', () => {
  let storage: ServiceStorage;
  beforeEach(async () => {
    storage = await ServiceStorage.create('sqlite');
  });
  afterEach(() => storage.drop());

  it('shows a stack trace that names the TypeScript sources', async () => {
    writeFileSync(storage.eventsFile, 'not a database');
    const result = spawnSync(process.execPath, [bundledServiceEntry()], {
      cwd: storage.dataDir,
      env: { PATH: process.env.PATH ?? '', PORT: String(await freePort()), GRPC_PORT: String(await freePort()), MANAGEMENT_PORT: String(await freePort()), ...storage.serviceEnv() },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Start-up failed: SqliteError: file is not a database');
    // The service's own frames are mapped back through the bundle's and SWC's maps; those of
    // the dependencies inside the bundle keep the bundle's position (its map leaves them out).
    const frames = result.stderr.split('\n').filter((line) => /^\s+at /.test(line) && !line.includes('node_modules') && !line.includes('node:'));
    const own = frames.filter((frame) => /\/(?:src|libs\/[\w-]+\/src)\/[\w/.-]+\.ts:\d+:\d+\)?$/.test(frame));
    expect(own.length).toBeGreaterThanOrEqual(5);
    expect(frames.filter((frame) => !own.includes(frame)).every((frame) => frame.includes('/dist/src/main.bundle.code.js:'))).toBe(true);
    const persistence = own.find((frame) => frame.includes('/src/persistence/event-store.ts:'));
    expect(persistence).toBeDefined();
    // The line named holds the call the trace says it does.
    const [, line] = /event-store\.ts:(\d+):/.exec(persistence!)!;
    expect(readFileSync(join(repoRoot(), 'src', 'persistence', 'event-store.ts'), 'utf8').split('\n')[Number(line) - 1]).toContain('createEventStore(');
  });
});
