import type { StoreKind } from '../support/storage';

/**
 * What `npm run bench` measures and for how long, from the environment:
 *
 *   BENCH_QUICK=1                 short runs and a 100,000-event log, for iterating
 *   BENCH_STORES=sqlite,postgres  which set-ups to run
 *   BENCH_PHASES=http,log         the HTTP load phases, and/or the seeded log's rebuild and start-ups;
 *                                 `writes` runs only the write phases of `http` (for profiling them)
 *   BENCH_CONNECTIONS=1,8,32      write connections of the write phases
 *   BENCH_SECONDS=10              length of each measured run (quick: 4)
 *   BENCH_REPEATS=3               runs per measurement; medians are reported (quick: 1)
 *   BENCH_MIXED_WRITERS=32        write connections while ListExecutions and the lag probe run
 *   BENCH_LIST_CONNECTIONS=4      ListExecutions connections in that phase
 *   BENCH_LOG_EVENTS=1000000      events of the rebuild / start-up log (quick: 100,000; 0 skips)
 *   BENCH_LOG_LEVEL=info          the service's LOG_LEVEL (its default, so logging is paid for)
 *   BENCH_CPU_PROFILE=1           run the service under --cpu-prof (profiles in bench/results/profiles)
 *   BENCH_NODE_FLAGS="--flag ..." more node flags for the service of the HTTP phases (to try V8 settings)
 *   BENCH_DATABASE_URL / TEST_DATABASE_URL   the PostgreSQL server (fresh schemas, dropped afterwards)
 */
export interface BenchSettings {
  quick: boolean;
  stores: StoreKind[];
  /** `mixed`: ListExecutions and the lag probe under write load, after the write phases. */
  phases: { http: boolean; mixed: boolean; log: boolean };
  connections: number[];
  seconds: number;
  warmupSeconds: number;
  repeats: number;
  mixedWriters: number;
  listConnections: number;
  logEvents: number;
  startupRepeats: number;
  logLevel: string;
  cpuProfile: boolean;
  /** Extra node flags of the service in the HTTP phases. */
  nodeFlags: string[];
}

function list(name: string, fallback: string): string[] {
  return (process.env[name] ?? fallback)
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
}

export function loadSettings(): BenchSettings {
  const quick = process.env.BENCH_QUICK === '1';
  const stores = list('BENCH_STORES', 'sqlite,postgres');
  for (const store of stores) if (store !== 'sqlite' && store !== 'postgres') throw new Error(`BENCH_STORES: unknown store "${store}"`);
  const phases = list('BENCH_PHASES', 'http,log');
  for (const phase of phases) if (!['http', 'writes', 'log'].includes(phase)) throw new Error(`BENCH_PHASES: unknown phase "${phase}"`);
  return {
    quick,
    stores: stores as StoreKind[],
    phases: { http: phases.includes('http') || phases.includes('writes'), mixed: phases.includes('http'), log: phases.includes('log') },
    connections: list('BENCH_CONNECTIONS', '1,8,32').map(Number),
    seconds: positiveNumber('BENCH_SECONDS', quick ? 4 : 10),
    warmupSeconds: quick ? 2 : 4,
    repeats: Math.max(1, Math.floor(positiveNumber('BENCH_REPEATS', quick ? 1 : 3))),
    mixedWriters: positiveNumber('BENCH_MIXED_WRITERS', 32),
    listConnections: positiveNumber('BENCH_LIST_CONNECTIONS', 4),
    logEvents: Math.floor(positiveNumber('BENCH_LOG_EVENTS', quick ? 100_000 : 1_000_000)),
    startupRepeats: quick ? 1 : 3,
    logLevel: process.env.BENCH_LOG_LEVEL ?? 'info',
    cpuProfile: process.env.BENCH_CPU_PROFILE === '1',
    nodeFlags: (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== ''),
  };
}
