/**
 * The load generator: a process of its own (forked by the benchmark), so its CPU shows apart
 * from the service's. Receives one LoadPlan over IPC, runs it with autocannon, answers with
 * the figures and exits. Every write connection is an autocannon instance of one connection,
 * so each keeps its own condition sequence (set, delete, next condition...).
 */
import autocannon from 'autocannon';
import { distribution, type Distribution } from '../support/stats';
import type { LoadFigures, LoadPlan, StreamFigures, WriteConnection } from './load-protocol';
import { writeConditions } from './write-conditions';

interface Recorder {
  latencies: number[];
  byOperation: Map<string, number[]>;
  statuses: Map<string, number>;
  failures: number;
}

const newRecorder = (): Recorder => ({ latencies: [], byOperation: new Map(), statuses: new Map(), failures: 0 });

function record(recorder: Recorder, operation: string, status: number, ms: number): void {
  recorder.latencies.push(ms);
  const list = recorder.byOperation.get(operation) ?? [];
  list.push(ms);
  recorder.byOperation.set(operation, list);
  recorder.statuses.set(String(status), (recorder.statuses.get(String(status)) ?? 0) + 1);
  if (status < 200 || status > 299) recorder.failures += 1;
}

function figures(recorder: Recorder, seconds: number, connectionFailures: number): StreamFigures {
  const operations: Record<string, Distribution> = {};
  for (const [operation, values] of recorder.byOperation) operations[operation] = distribution(values);
  const requests = recorder.latencies.length;
  return {
    requests,
    seconds,
    perSecond: requests / seconds,
    latencyMs: distribution(recorder.latencies),
    operations,
    statuses: Object.fromEntries(recorder.statuses),
    failures: recorder.failures + connectionFailures,
  };
}

/** Runs autocannon to completion; resolves with its errors + timeouts. */
function run(options: Parameters<typeof autocannon>[0], onResponse: (status: number, ms: number) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error, result) => (error ? reject(error) : resolve(result.errors + result.timeouts)));
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => onResponse(status, ms));
  });
}

function writeConnection(plan: LoadPlan, connection: WriteConnection, recorder: Recorder): Promise<number> {
  const conditions = writeConditions(connection);
  const headers = { authorization: `Bearer ${connection.token}`, 'content-type': 'application/json' };
  let next = 0;
  let current = conditions[0];
  let answers = 0;
  return run(
    {
      url: plan.baseUrl,
      connections: 1,
      duration: plan.durationSeconds,
      timeout: 10,
      requests: [
        {
          method: 'PUT',
          path: '/v3alpha/executions',
          setupRequest: (request) => {
            current = conditions[next % conditions.length];
            // One or two targets, varying, as real executions do.
            const targets = connection.targetIds.slice(0, 1 + (next % Math.min(2, connection.targetIds.length))).map((target) => ({ target }));
            next += 1;
            return { ...request, headers, body: JSON.stringify({ condition: current, targets }) };
          },
        },
        { method: 'DELETE', path: '/v3alpha/executions', setupRequest: (request) => ({ ...request, headers, body: JSON.stringify({ condition: current }) }) },
      ],
    },
    // One connection without pipelining answers strictly in order: set, delete, set...
    (status, ms) => record(recorder, answers++ % 2 === 0 ? 'set' : 'delete', status, ms),
  );
}

async function runPlan(plan: LoadPlan): Promise<LoadFigures> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const writes = newRecorder();
  const lists = newRecorder();
  const writeRuns = (plan.writes ?? []).map((connection) => writeConnection(plan, connection, writes));
  const listRun = plan.lists
    ? run(
        {
          url: plan.baseUrl,
          connections: plan.lists.connections,
          duration: plan.durationSeconds,
          timeout: 10,
          method: 'POST',
          headers: { authorization: `Bearer ${plan.lists.token}`, 'content-type': 'application/json' },
          requests: [{ method: 'POST', path: '/v3alpha/executions/search', body: plan.lists.body }],
        },
        (status, ms) => record(lists, 'list', status, ms),
      )
    : Promise.resolve(0);
  const writeFailures = (await Promise.all(writeRuns)).reduce((total, count) => total + count, 0);
  const listFailures = await listRun;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    ...(plan.writes?.length ? { writes: figures(writes, seconds, writeFailures) } : {}),
    ...(plan.lists ? { lists: figures(lists, seconds, listFailures) } : {}),
    generatorCpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

process.once('message', (plan: LoadPlan) => {
  runPlan(plan).then(
    (result) => process.send!({ ok: true, result }, () => process.exit(0)),
    (error: unknown) => process.send!({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1)),
  );
});
