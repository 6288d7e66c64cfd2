import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, ServiceProcess } from '../../bench/support/service-process';
import { builtServiceEntry, repoRoot } from '../../bench/support/repo-root';
import { POSTGRES_URL, ServiceStorage } from '../../bench/support/storage';

jest.setTimeout(90_000);

beforeAll(() => {
  execFileSync(process.execPath, [join(repoRoot(), 'scripts', 'build.mjs'), '--quiet'], { stdio: 'inherit' });
});

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /;

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('start-up', () => {
  let storage: ServiceStorage;
  let service: ServiceProcess | undefined;
  beforeEach(async () => {
    storage = await ServiceStorage.create('sqlite');
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
    await storage.drop();
  });

  it('in pretty lines with ISO times, without Nest bootstrap chatter, ends with how to get a token', async () => {
    service = await ServiceProcess.start({ storage, logLevel: 'info', env: { LOG_FORMAT: 'pretty' } });
    const lines = (): string[] => readFileSync(service!.logFile, 'utf8').split('\n').filter((line) => line !== '');
    await waitFor(() => lines().some((line) => line.includes('use it:')));
    // The hint is written in one go; let the rest of it reach the file.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const log = lines();
    expect(log.every((line) => ISO_TIME.test(line))).toBe(true);
    expect(log.some((line) => line.startsWith('{'))).toBe(false);
    expect(log.filter((line) => /InstanceLoader|RoutesResolver|RouterExplorer/.test(line))).toEqual([]);
    expect(log.length).toBeLessThan(16);
    const first = log.findIndex((line) => /INFO +\[Auth\] Authentication: embedded key pair in /.test(line));
    expect(first).toBeGreaterThan(0);
    const hint = log.slice(first);
    expect(hint.every((line) => line.includes(' [Auth] '))).toBe(true);
    expect(hint.join('\n')).toContain(`TOKEN=$(DATA_DIR=${storage.dataDir} npm run -s cli -- token --instance <instance-id> --role IAM_OWNER)`);
    expect(hint.join('\n')).toContain(`http://localhost:${service.port}/v3alpha/executions/methods`);
  });

  it('writes JSON lines with ISO times when stdout is not a terminal', async () => {
    service = await ServiceProcess.start({ storage, logLevel: 'debug' });
    const records = (): Array<Record<string, unknown>> =>
      readFileSync(service!.logFile, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    await waitFor(() => records().some((record) => String(record.msg).includes('use it:')));
    expect(records().every((record) => typeof record.time === 'string' && !Number.isNaN(Date.parse(record.time)))).toBe(true);
    // At debug, Nest's bootstrap lines are there, one level down.
    expect(records().filter((record) => record.context === 'InstanceLoader').every((record) => record.level === 20)).toBe(true);
    expect(records().some((record) => record.context === 'InstanceLoader')).toBe(true);
  });

  it('reads .env of its working directory, and answers a PostgreSQL database that does not exist with one line: the createdb command', async () => {
    const url = new URL(POSTGRES_URL);
    url.pathname = '/actions_missing_database';
    // DATABASE_URL comes from .env only.
    writeFileSync(join(storage.dataDir, '.env'), `DATABASE_URL=${url.toString()}\n`);
    const result = spawnSync(process.execPath, [builtServiceEntry()], {
      cwd: storage.dataDir,
      env: { PATH: process.env.PATH ?? '', PORT: String(await freePort()), GRPC_PORT: String(await freePort()), DATA_DIR: storage.dataDir, EVENT_STORE: 'postgres' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    const output = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line !== '');
    expect(output).toEqual([expect.stringMatching(/^Start-up failed: PostgreSQL database "actions_missing_database" of DATABASE_URL does not exist on .*; create it with: createdb .*actions_missing_database$/)]);
  });
});
