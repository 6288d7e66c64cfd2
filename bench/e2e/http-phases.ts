import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ApiClient, embeddedToken } from '../support/api-client';
import { openReadModelProbe } from '../support/read-model-probe';
import { repoRoot } from '../support/repo-root';
import { localPostgresCpuSeconds } from '../support/database-cpu';
import { ServiceProcess } from '../support/service-process';
import { distribution, median, round, type Distribution } from '../support/stats';
import { ServiceStorage, type StoreKind } from '../support/storage';
import catalogue from '../../src/catalogue/default-catalogue.json';
import { probeProjectionLag, type LagSamples } from './lag-probe';
import { runLoad } from './load-client';
import type { LoadFigures, StreamFigures, WriteConnection } from './load-protocol';
import type { Row } from './report';
import type { BenchSettings } from './settings';

/** At most this many instances carry the write load; more connections share them. */
const WRITE_INSTANCES = 8;
/** Executions of the instance that ListExecutions reads (100 per page are asked for). */
const LISTED_EXECUTIONS = 150;
const LIST_BODY = JSON.stringify({ query: { limit: 100 } });

/** Figures of the HTTP phases of one store, for the JSON output. */
export interface HttpPhaseRecord {
  writes: Record<string, LoadFigures[]>;
  mixed: LoadFigures[];
  lag: { readModelMs: Distribution; listAfterWriteMs: Distribution; failures: number };
  serviceMemory: { rss: number; peakRss: number };
  /** SQLite: size of each WAL file after the write phases (the high-water mark of its length). */
  walFiles?: Record<string, number>;
  serviceLogErrors: number;
  profile?: string;
}

async function seedWriters(service: ServiceProcess, dataDir: string, connections: number): Promise<WriteConnection[]> {
  const instances = Math.min(WRITE_INSTANCES, connections);
  const shares = Math.ceil(connections / instances);
  const seeded = await Promise.all(
    Array.from({ length: instances }, async (_, number) => {
      const instanceId = `bench-writes-${number}`;
      const api = new ApiClient(service.url(''), instanceId, await embeddedToken(dataDir, instanceId));
      const targetIds = [await api.createTarget('primary-hook'), await api.createTarget('audit-hook')];
      return { instanceId, token: api.token, targetIds };
    }),
  );
  return Array.from({ length: connections }, (_, index) => ({ ...seeded[index % instances], index, share: Math.floor(index / instances), shares }));
}

async function seedListedInstance(service: ServiceProcess, dataDir: string): Promise<ApiClient> {
  const api = new ApiClient(service.url(''), 'bench-list', await embeddedToken(dataDir, 'bench-list'));
  const targetId = await api.createTarget('listed-hook');
  const methods = Object.entries(catalogue.services as Record<string, string[]>).flatMap(([name, calls]) => calls.map((call) => `/${name}/${call}`));
  for (let index = 0; index < LISTED_EXECUTIONS; index += 1) {
    const answer = await api.setExecution({ request: { method: methods[index % methods.length] } }, [targetId]);
    if (answer.status !== 200) throw new Error(`seeding the listed instance: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  const page = await api.request<{ result: unknown[] }>('POST', '/v3alpha/executions/search', LIST_BODY);
  if (page.status !== 200 || page.body.result.length !== 100) throw new Error(`ListExecutions of the seeded instance gave ${page.status}, ${page.body.result?.length} items`);
  return api;
}

/** Runs `plan` and records how much CPU the service (and a local PostgreSQL server) spent meanwhile. */
async function measuredLoad(service: ServiceProcess, storage: ServiceStorage, plan: Parameters<typeof runLoad>[0]): Promise<LoadFigures> {
  const databaseCpu = () => (storage.serverUrl ? localPostgresCpuSeconds(storage.serverUrl) : undefined);
  const cpuBefore = service.cpuSeconds();
  const databaseBefore = databaseCpu();
  const figures = await runLoad(plan);
  const databaseAfter = databaseCpu();
  const databaseCpuSeconds = databaseBefore !== undefined && databaseAfter !== undefined ? databaseAfter - databaseBefore : undefined;
  return { ...figures, serviceCpuSeconds: service.cpuSeconds() - cpuBefore, databaseCpuSeconds };
}

/** Service CPU per answered write, in ms: what one write costs the service's (single) thread and its helpers. */
const cpuPerWriteMs = (figures: LoadFigures): number => ((figures.serviceCpuSeconds ?? 0) * 1000) / Math.max(1, figures.writes?.requests ?? 0);

/** The database server's CPU per answered write, in ms, where it could be read. */
function databaseCpuText(runs: readonly LoadFigures[]): string {
  if (runs.some((run) => run.databaseCpuSeconds === undefined)) return '';
  const perWrite = median(runs.map((run) => (run.databaseCpuSeconds! * 1000) / Math.max(1, run.writes?.requests ?? 0)));
  const share = median(runs.map((run) => run.databaseCpuSeconds! / run.writes!.seconds));
  return `; database server CPU ${round(perWrite, 3)} ms per op (${round(share * 100, 0)}% of a core)`;
}

const latencyText = (latency: Distribution): string => `p50 ${round(latency.p50)} / p95 ${round(latency.p95)} / p99 ${round(latency.p99)} ms`;

/** Medians over runs of each figure, so one noisy run does not decide. */
function medianStream(runs: readonly StreamFigures[]): { perSecond: number; latency: Distribution; failures: number; requests: number } {
  return {
    perSecond: median(runs.map((run) => run.perSecond)),
    latency: {
      count: runs.reduce((total, run) => total + run.latencyMs.count, 0),
      mean: median(runs.map((run) => run.latencyMs.mean)),
      p50: median(runs.map((run) => run.latencyMs.p50)),
      p95: median(runs.map((run) => run.latencyMs.p95)),
      p99: median(runs.map((run) => run.latencyMs.p99)),
      max: Math.max(...runs.map((run) => run.latencyMs.max)),
    },
    failures: runs.reduce((total, run) => total + run.failures, 0),
    requests: runs.reduce((total, run) => total + run.requests, 0),
  };
}

function statusText(runs: readonly StreamFigures[]): string {
  const totals = new Map<string, number>();
  for (const run of runs) for (const [status, count] of Object.entries(run.statuses)) totals.set(status, (totals.get(status) ?? 0) + count);
  return [...totals].map(([status, count]) => `${count} x ${status}`).join(', ');
}

function writeTarget(kind: StoreKind, connections: number): Row['target'] {
  if (connections !== 32) return undefined;
  return kind === 'sqlite' ? { min: 2000 } : { min: 1500 };
}

/**
 * Write phases (SetExecution + DeleteExecution cycles at each connection count), then
 * ListExecutions and the projection-lag probe under write load, against one service process.
 */
export async function runHttpPhases(kind: StoreKind, settings: BenchSettings, rows: Row[]): Promise<HttpPhaseRecord> {
  const storage = await ServiceStorage.create(kind);
  const profileDir = join(repoRoot(), 'bench', 'results', 'profiles');
  if (settings.cpuProfile) mkdirSync(profileDir, { recursive: true });
  const service = await ServiceProcess.start({
    storage,
    logLevel: settings.logLevel,
    nodeArgs: [...settings.nodeFlags, ...(settings.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${kind}-${Date.now()}.cpuprofile`] : [])],
  });
  const record: HttpPhaseRecord = {
    writes: {},
    mixed: [],
    lag: { readModelMs: distribution([]), listAfterWriteMs: distribution([]), failures: 0 },
    serviceMemory: { rss: 0, peakRss: 0 },
    serviceLogErrors: 0,
  };
  try {
    const baseUrl = service.url('');
    const maxConnections = Math.max(settings.mixedWriters, ...settings.connections);
    const writers = await seedWriters(service, storage.dataDir, maxConnections);
    const listed = await seedListedInstance(service, storage.dataDir);
    const probeApi = new ApiClient(baseUrl, 'bench-probe', await embeddedToken(storage.dataDir, 'bench-probe'));
    const probeTargets = [await probeApi.createTarget('probe-hook-a'), await probeApi.createTarget('probe-hook-b')];
    console.log(`  ${kind}: service up in ${round(service.startupMs)} ms; seeded ${writers.length} write connections over ${Math.min(WRITE_INSTANCES, maxConnections)} instances`);

    await runLoad({ baseUrl, durationSeconds: settings.warmupSeconds, writes: writers.slice(0, 8) });

    for (const connections of settings.connections) {
      const runs: LoadFigures[] = [];
      for (let repeat = 0; repeat < settings.repeats; repeat += 1) {
        const figures = await measuredLoad(service, storage, { baseUrl, durationSeconds: settings.seconds, writes: writers.slice(0, connections) });
        runs.push(figures);
        console.log(
          `  ${kind}: ${connections} write connection(s): ${round(figures.writes!.perSecond)} ops/s, ${latencyText(figures.writes!.latencyMs)}, service CPU ${round(cpuPerWriteMs(figures), 3)} ms/op, ${figures.writes!.failures} failures`,
        );
      }
      record.writes[connections] = runs;
      const writes = runs.map((run) => run.writes!);
      const summary = medianStream(writes);
      rows.push({
        metric: `SetExecution + DeleteExecution, ${connections} connection${connections === 1 ? '' : 's'}`,
        value: Math.round(summary.perSecond),
        unit: 'ops/s',
        target: writeTarget(kind, connections),
        valid: summary.failures === 0,
        detail: `${latencyText(summary.latency)}${connections === 32 && kind === 'sqlite' ? ' (target p99 <= 25 ms)' : ''}; runs ${writes.map((run) => Math.round(run.perSecond)).join(', ')} ops/s; ${statusText(writes)}; non-2xx or errors: ${summary.failures}; service CPU ${round(median(runs.map(cpuPerWriteMs)), 3)} ms per op (${round(median(runs.map((run) => (run.serviceCpuSeconds ?? 0) / run.writes!.seconds)) * 100, 0)}% of a core); load generator ${round(median(runs.map((run) => run.generatorCpuSeconds / run.writes!.seconds)) * 100, 0)}% of a core${databaseCpuText(runs)}`,
      });
      if (connections === 32 && kind === 'sqlite') {
        rows.push({ metric: 'p99 latency of those writes, 32 connections', value: round(summary.latency.p99), unit: 'ms', target: { max: 25 }, valid: summary.failures === 0 });
      }
    }

    if (settings.phases.mixed) await runMixedPhase(service, storage, settings, { writers, listed, probeApi, probeTargets }, record, rows);
    record.serviceMemory = service.memory();
    record.walFiles = walFileSizes(storage);
    const walText = Object.entries(record.walFiles)
      .map(([name, bytes]) => `${name} ${round(bytes / 2 ** 20)} MiB`)
      .join(', ');
    rows.push({
      metric: 'service memory after the write phases',
      value: round(record.serviceMemory.rss / 2 ** 20),
      unit: 'MiB RSS',
      detail: `peak ${round(record.serviceMemory.peakRss / 2 ** 20)} MiB${walText ? `; WAL files ${walText}` : ''}`,
    });
  } finally {
    await service.stop();
    record.serviceLogErrors = countErrorLines(service.logTail(1_000_000));
    await storage.drop();
  }
  return record;
}

interface MixedPhaseParties {
  writers: WriteConnection[];
  listed: ApiClient;
  probeApi: ApiClient;
  probeTargets: string[];
}

/** ListExecutions and the projection-lag probe while the writers keep writing. */
async function runMixedPhase(service: ServiceProcess, storage: ServiceStorage, settings: BenchSettings, parties: MixedPhaseParties, record: HttpPhaseRecord, rows: Row[]): Promise<void> {
  const { writers, listed, probeApi, probeTargets } = parties;
  const lagSamples: LagSamples = { readModelMs: [], listAfterWriteMs: [], failures: 0 };
  const readModel = await openReadModelProbe(storage);
  try {
    for (let repeat = 0; repeat < settings.repeats; repeat += 1) {
      const stop = new AbortController();
      const probing = probeProjectionLag(probeApi, readModel, probeTargets, { stop: stop.signal, intervalMs: 20, pollMs: 1 });
      const figures = await measuredLoad(service, storage, {
        baseUrl: service.url(''),
        durationSeconds: settings.seconds,
        writes: writers.slice(0, settings.mixedWriters),
        lists: { connections: settings.listConnections, token: listed.token, body: LIST_BODY },
      }).finally(() => stop.abort());
      const samples = await probing;
      lagSamples.readModelMs.push(...samples.readModelMs);
      lagSamples.listAfterWriteMs.push(...samples.listAfterWriteMs);
      lagSamples.failures += samples.failures;
      record.mixed.push(figures);
      console.log(
        `  ${storage.kind}: mixed: ${round(figures.lists!.perSecond)} lists/s (${latencyText(figures.lists!.latencyMs)}), ${round(figures.writes!.perSecond)} writes/s, lag p50 ${round(distribution(samples.readModelMs).p50)} ms`,
      );
    }
  } finally {
    await readModel.close();
  }
  const lists = medianStream(record.mixed.map((run) => run.lists!));
  const mixedWrites = medianStream(record.mixed.map((run) => run.writes!));
  const mixedValid = lists.failures === 0 && mixedWrites.failures === 0;
  rows.push({
    metric: `ListExecutions (100 items) under ${settings.mixedWriters}-connection writes, ${settings.listConnections} list connections`,
    value: Math.round(lists.perSecond),
    unit: 'lists/s',
    valid: mixedValid,
    detail: `${latencyText(lists.latency)}; writes meanwhile ${Math.round(mixedWrites.perSecond)} ops/s (${latencyText(mixedWrites.latency)}); non-2xx or errors: lists ${lists.failures}, writes ${mixedWrites.failures}`,
  });
  record.lag = { readModelMs: distribution(lagSamples.readModelMs), listAfterWriteMs: distribution(lagSamples.listAfterWriteMs), failures: lagSamples.failures };
  rows.push({
    metric: 'projection lag: write answered 200 -> row in the read model (same load)',
    value: round(record.lag.readModelMs.p50),
    unit: 'ms (median)',
    valid: lagSamples.failures === 0,
    detail: `p95 ${round(record.lag.readModelMs.p95)} / p99 ${round(record.lag.readModelMs.p99)} / max ${round(record.lag.readModelMs.max)} ms over ${record.lag.readModelMs.count} probes (read model polled every 1 ms)`,
  });
  rows.push({
    metric: 'read-your-writes: ListExecutions sent right after that 200 shows the write',
    value: round(record.lag.listAfterWriteMs.p50),
    unit: 'ms (median)',
    valid: lagSamples.failures === 0,
    detail: `p95 ${round(record.lag.listAfterWriteMs.p95)} / p99 ${round(record.lag.listAfterWriteMs.p99)} ms; probe failures: ${lagSamples.failures}`,
  });
}

/** Bytes of the SQLite WAL files in the service's data directory (none on PostgreSQL). */
function walFileSizes(storage: ServiceStorage): Record<string, number> {
  if (storage.kind !== 'sqlite') return {};
  const sizes: Record<string, number> = {};
  for (const name of readdirSync(storage.dataDir)) if (name.endsWith('-wal')) sizes[name] = statSync(join(storage.dataDir, name)).size;
  return sizes;
}

/** pino level 50 (error) and above. */
function countErrorLines(log: string): number {
  return log.split('\n').filter((line) => /"level":(5|6)\d/.test(line)).length;
}
