import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import type { ApiClient, ErrorBody } from '../../bench/support/api-client';
import { POSTGRES_URL } from '../../bench/support/storage';
import { liveReadModelRows, replayedReadModelRows } from './support/read-model-replay';
import { reportFigures } from './support/report';
import { ServiceUnderTest } from './support/service-under-test';
import { TcpProxy } from './support/tcp-proxy';

/**
 * By default the outage is simulated: the service reaches PostgreSQL through a TCP relay that
 * the test cuts (open connections reset, new ones refused), because the server on a development
 * machine is shared. FAULTS_REAL_PG_STOP=1 stops and starts the real server instead (CI, where
 * nothing else runs); never use it on a shared machine.
 */
const REAL_STOP = process.env.FAULTS_REAL_PG_STOP === '1';

interface Sample {
  kind: 'set' | 'delete' | 'list';
  startedAt: number;
  finishedAt: number;
  status?: number;
  code?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function pgCluster(action: 'stop' | 'start'): void {
  const [version] = readdirSync('/etc/postgresql');
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', action], { stdio: 'inherit' });
}

function postgresIsUp(): boolean {
  try {
    execFileSync('pg_isready', ['-q', '-h', new URL(POSTGRES_URL).hostname, '-p', new URL(POSTGRES_URL).port || '5432']);
    return true;
  } catch {
    return false;
  }
}

async function waitForPostgres(): Promise<void> {
  for (let attempt = 0; attempt < 60 && !postgresIsUp(); attempt += 1) await sleep(500);
}

/** Sets then deletes its own conditions and lists, recording every answer, until `stop`. */
async function sustainLoad(api: ApiClient, targetId: string, clients: number, stop: AbortSignal): Promise<Sample[]> {
  const samples: Sample[] = [];
  const call = async (kind: Sample['kind'], send: () => Promise<{ status: number; body: unknown }>): Promise<number | undefined> => {
    const sample: Sample = { kind, startedAt: performance.now(), finishedAt: Number.NaN };
    samples.push(sample);
    try {
      const answer = await send();
      sample.status = answer.status;
      if (answer.status >= 300) sample.code = (answer.body as ErrorBody).code;
    } catch {
      // No answer at all (the service itself failed): stays without status.
    }
    sample.finishedAt = performance.now();
    return sample.status;
  };
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let round = 0; !stop.aborted; round += 1) {
        const condition = { event: { event: `outage.client${client}.object${round % 10}.changed` } };
        if ((await call('set', () => api.setExecution(condition, [targetId]))) === 200) await call('delete', () => api.deleteExecution(condition));
        await call('list', () => api.listExecutions({ query: { limit: 10 } }));
        await sleep(5);
      }
    }),
  );
  return samples;
}

describe(`PostgreSQL unavailable under load, then back (${REAL_STOP ? 'server stopped and started' : 'connections cut by a relay'})`, () => {
  let proxy: TcpProxy | undefined;
  let sut: ServiceUnderTest;

  const takeDown = async (): Promise<void> => (proxy ? proxy.cut() : pgCluster('stop'));
  const bringBack = async (): Promise<void> => {
    if (proxy) return proxy.restore();
    pgCluster('start');
    await waitForPostgres();
  };

  beforeAll(async () => {
    const server = new URL(POSTGRES_URL);
    if (!REAL_STOP) proxy = await new TcpProxy({ host: server.hostname, port: Number(server.port || 5432) }).start();
    sut = await ServiceUnderTest.start('postgres', proxy ? { databaseVia: { host: '127.0.0.1', port: proxy.port } } : {});
  });

  afterAll(async () => {
    if (REAL_STOP && !postgresIsUp()) await bringBack();
    await proxy?.restore();
    await sut.close();
    await proxy?.close();
  });

  it('answers 503 code 14 quickly while the database is gone, stays up, and serves again once it is back, without a restart', async () => {
    const api = await sut.client('fault-outage');
    const targetId = await api.createTarget('outage-hook');
    const pid = sut.process.pid;

    const stop = new AbortController();
    const load = sustainLoad(api, targetId, 4, stop.signal);
    await sleep(1_500);
    const downAt = performance.now();
    await takeDown();
    await sleep(1_000);
    const healthz = await fetch(sut.process.url('/healthz'), { signal: AbortSignal.timeout(2_000) });
    const readyz = await fetch(sut.process.managementUrl('/readyz'), { signal: AbortSignal.timeout(5_000) });
    await sleep(2_500);
    const upAt = performance.now();
    await bringBack();
    // Serve on until every kind of call has succeeded again, then a little longer.
    const recoveredBy = performance.now() + 30_000;
    let recoveredAt: number | undefined;
    while (recoveredAt === undefined && performance.now() < recoveredBy) {
      await sleep(100);
      if (!sut.process.running) break;
      const current = await api.listExecutions({ query: { limit: 1 } }).catch(() => undefined);
      if (current?.status === 200) recoveredAt = performance.now();
    }
    await sleep(1_500);
    stop.abort();
    const samples = await load;

    expect(sut.process.running).toBe(true);
    expect(sut.process.pid).toBe(pid);
    expect([healthz.status, readyz.status]).toEqual([200, 503]);
    expect(recoveredAt).toBeDefined();

    // Calls made entirely while the database was gone: every one a quick 503 code 14.
    const duringOutage = samples.filter((sample) => sample.startedAt > downAt + 200 && sample.finishedAt < upAt);
    expect(duringOutage.length).toBeGreaterThan(10);
    expect(duringOutage.filter((sample) => sample.status !== 503 || sample.code !== 14)).toEqual([]);
    const slowest = Math.max(...duringOutage.map((sample) => sample.finishedAt - sample.startedAt));
    expect(slowest).toBeLessThan(2_000);

    // Back to normal: every call made after the recovery was noticed succeeded.
    const afterRecovery = samples.filter((sample) => sample.startedAt > recoveredAt! + 200);
    expect(afterRecovery.length).toBeGreaterThan(5);
    expect(afterRecovery.filter((sample) => sample.status !== 200)).toEqual([]);
    expect(new Set(afterRecovery.map((sample) => sample.kind))).toEqual(new Set(['set', 'delete', 'list']));

    // Nothing the outage interrupted left the read model apart from the log.
    expect((await api.listExecutions()).status).toBe(200);
    expect(await liveReadModelRows(sut.storage)).toEqual(await replayedReadModelRows(await sut.log(), sut.storage));

    reportFigures(`PostgreSQL outage (${REAL_STOP ? 'real stop' : 'relay cut'})`, {
      callsDuringOutage: duringOutage.length,
      outageAnswers: [...new Set(duringOutage.map((sample) => `${sample.status}/${sample.code}`))],
      slowestOutageAnswerMs: Math.round(slowest),
      medianOutageAnswerMs: Math.round(duringOutage.map((sample) => sample.finishedAt - sample.startedAt).sort((a, b) => a - b)[Math.floor(duringOutage.length / 2)]),
      healthzDuringOutage: healthz.status,
      readyzDuringOutage: readyz.status,
      recoveredAfterDatabaseBackMs: Math.round(recoveredAt! - upAt),
      callsAfterRecovery: afterRecovery.length,
    });
  });
});
