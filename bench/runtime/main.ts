/**
 * The runtime's own cost, on the built service with SQLite (the store is not on the path of a
 * run: resolution reads the in-memory index):
 *
 * 1. RunRequest of a method with no execution, beside the cheapest authenticated GET of the same
 *    build (ListExecutionServices): requests per second and service CPU per call, alternating.
 * 2. RunRequest of a method whose execution has one restWebhook target on loopback that answers
 *    at once, beside calling that target directly with the same body: latency p50/p99, one call at
 *    a time, alternating; the difference is what the runtime adds.
 *
 *   npm run bench:runtime
 *   BENCH_SECONDS=5 BENCH_CONNECTIONS=8 BENCH_ROUNDS=3 BENCH_CALLS=2000 BENCH_WARMUP_SECONDS=3 (defaults)
 *   BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/profiles" to profile the service
 *   BENCH_COMPARE=/path/to/other/checkout runs that checkout's build (its dist/) side by side with
 *   this one for part 1, rounds interleaved build by build (A/B on a machine whose load drifts)
 */
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { ApiClient, embeddedToken } from '../support/api-client';
import { ServiceProcess } from '../support/service-process';
import { distribution, median, round } from '../support/stats';
import { ServiceStorage } from '../support/storage';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CALLS = Number(process.env.BENCH_CALLS ?? 2_000);
const UNSET_METHOD = '/zitadel.user.v2.UserService/ListUsers';
const NODE_ARGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const HOOKED_METHOD = '/zitadel.session.v2.SessionService/ListSessions';
/** Another checkout with a build (`dist/`), run side by side with this one for A/B. */
const COMPARE = process.env.BENCH_COMPARE;

interface Throughput {
  perSecond: number;
  cpuMsPerCall: number;
}

function load(service: ServiceProcess, token: string, method: 'GET' | 'POST', path: string, body?: string, seconds = SECONDS): Promise<Throughput> {
  const cpuBefore = service.cpuSeconds();
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: service.url(path),
        method,
        connections: CONNECTIONS,
        duration: seconds,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body ? { body } : {}),
      },
      (error, result) => {
        if (error) return reject(error);
        if (result.non2xx + result.errors > 0) return reject(new Error(`${method} ${path}: ${result.non2xx} non-2xx, ${result.errors} errors`));
        const cpu = service.cpuSeconds() - cpuBefore;
        resolve({ perSecond: result.requests.total / seconds, cpuMsPerCall: (cpu * 1000) / result.requests.total });
      },
    );
  });
}

/** One POST at a time; milliseconds per call. */
async function sequentialLatencies(url: string, headers: Record<string, string>, body: string): Promise<number[]> {
  const latencies: number[] = [];
  for (let call = 0; call < CALLS; call += 1) {
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const outgoing = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (answer) => {
        answer.resume();
        answer.on('end', () => (answer.statusCode === 200 ? resolve() : reject(new Error(`${url}: ${answer.statusCode}`))));
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
    latencies.push(performance.now() - started);
  }
  return latencies;
}

/** One build's service, configured as the benchmark needs it. */
interface Contender {
  label: string;
  storage: ServiceStorage;
  service: ServiceProcess;
  token: string;
  gets: Throughput[];
  runs: Throughput[];
}

async function startContender(label: string, hookUrl: string, entry?: string): Promise<Contender> {
  const storage = await ServiceStorage.create('sqlite');
  const service = await ServiceProcess.start({ storage, env: { TARGET_ALLOWED_NETWORKS: '127.0.0.0/8' }, nodeArgs: NODE_ARGS, ...(entry ? { entry } : {}) });
  const token = await embeddedToken(storage.dataDir, 'bench');
  const api = new ApiClient(service.url(''), 'bench', token);
  const target = await api.request<{ id: string }>('POST', '/v3alpha/targets', { name: 'hook', restWebhook: { interruptOnError: true }, timeout: '5s', endpoint: hookUrl });
  if (target.status !== 201) throw new Error(`CreateTarget: ${target.status}`);
  const set = await api.setExecution({ request: { method: HOOKED_METHOD } }, [target.body.id]);
  if (set.status !== 200) throw new Error(`SetExecution: ${set.status}`);
  return { label, storage, service, token, gets: [], runs: [] };
}

const runBody = (fullMethod: string) => JSON.stringify({ fullMethod, request: { query: { limit: 10 } }, headers: { 'x-request-id': ['bench'] } });

async function main(): Promise<void> {
  const webhook = createServer((incoming, answer) => {
    incoming.resume();
    incoming.on('end', () => answer.end());
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`;
  const contenders: Contender[] = [];
  try {
    contenders.push(await startContender('this build', hookUrl));
    if (COMPARE) contenders.push(await startContender(COMPARE, hookUrl, join(COMPARE, 'dist', 'src', 'main.js')));
    // Unmeasured first: a cold service compiles its code on the first calls (RunRequest has more
    // of it: decoding, validation), and that cost is not what a call costs.
    for (const contender of contenders) {
      await load(contender.service, contender.token, 'GET', '/v3alpha/executions/services', undefined, WARMUP_SECONDS);
      await load(contender.service, contender.token, 'POST', '/runtime/v1/request', runBody(UNSET_METHOD), WARMUP_SECONDS);
    }
    // Rounds alternate the calls and, with two builds running side by side, the builds; every
    // other round the other way round, so neither goes first all the time.
    for (let round = 0; round < ROUNDS; round += 1) {
      const forward = round % 2 === 0;
      for (const contender of forward ? contenders : [...contenders].reverse()) {
        const get = () => load(contender.service, contender.token, 'GET', '/v3alpha/executions/services');
        const run = () => load(contender.service, contender.token, 'POST', '/runtime/v1/request', runBody(UNSET_METHOD));
        if (forward) {
          contender.gets.push(await get());
          contender.runs.push(await run());
        } else {
          contender.runs.push(await run());
          contender.gets.push(await get());
        }
      }
    }
    for (const { label, gets, runs } of contenders) {
      const getCpu = median(gets.map((run) => run.cpuMsPerCall));
      const runCpu = median(runs.map((run) => run.cpuMsPerCall));
      // Each round's figures too: on a shared machine a single round can be far off the others.
      const rounds = runs.map((run, index) => `${round(run.cpuMsPerCall / gets[index]!.cpuMsPerCall, 2)}`).join(', ');
      console.log(
        `${label}: RunRequest, no execution, ${CONNECTIONS} connections: ${round(median(runs.map((run) => run.perSecond)), 0)} calls/s, ${round(runCpu, 3)} ms CPU per call; ` +
          `ListExecutionServices: ${round(median(gets.map((run) => run.perSecond)), 0)} calls/s, ${round(getCpu, 3)} ms CPU per call; CPU ratio ${round(runCpu / getCpu, 2)} (goal <= 1.3; by round: ${rounds})`,
      );
    }
    if (CALLS > 0) await addedLatency(contenders[0]!, hookUrl);
  } finally {
    for (const { service, storage } of contenders) {
      await service.stop();
      await storage.drop();
    }
    await new Promise<void>((resolve) => webhook.close(() => resolve()));
  }
}

/** RunRequest of the hooked method beside calling its target directly, one call at a time, alternating. */
async function addedLatency({ service, token }: Contender, hookUrl: string): Promise<void> {
  const direct: number[] = [];
  const throughRuntime: number[] = [];
  const callBody = JSON.stringify({ fullMethod: HOOKED_METHOD, instanceID: 'bench', request: { query: { limit: 10 } }, headers: { 'x-request-id': ['bench'] } });
  for (let round = 0; round < ROUNDS; round += 1) {
    direct.push(...(await sequentialLatencies(hookUrl, {}, callBody)));
    throughRuntime.push(...(await sequentialLatencies(service.url('/runtime/v1/request'), { authorization: `Bearer ${token}` }, runBody(HOOKED_METHOD))));
  }
  const plain = distribution(direct);
  const run = distribution(throughRuntime);
  console.log(
    `RunRequest with one restWebhook on loopback, one call at a time: p50 ${round(run.p50, 2)} / p99 ${round(run.p99, 2)} ms; the target called directly: ` +
      `p50 ${round(plain.p50, 2)} / p99 ${round(plain.p99, 2)} ms; added p50 ${round(run.p50 - plain.p50, 2)} ms (goal <= 2), p99 ${round(run.p99 - plain.p99, 2)} ms`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
