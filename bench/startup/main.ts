/**
 * Start-up of built services beside a bare Node HTTP server, started the same way, alternately.
 *
 *   node dist/bench/startup/main.js [label=path/to/dist/src/main.js ...]
 *
 * With no argument it measures this checkout's two builds: file by file (dist/src/main.js) and
 * bundled (dist/src/main.bundle.js, what `npm start` runs). Every round starts each entry once, in
 * turn, on a fresh store (a temp DATA_DIR; for PostgreSQL also a fresh schema), and records from
 * the spawn: when the entry's static imports had loaded (a `-r` preload, see marks.ts), when the
 * "listening" line was logged and when /healthz first answered 200. Loading is the module graph;
 * listening minus loading is Nest's wiring and the stores' opening.
 *
 *   BENCH_STARTUP_ROUNDS=10       starts of each entry per store
 *   BENCH_STORES=sqlite,postgres  which stores
 *   BENCH_OUTPUT=name             writes bench/results/<name>.md (default: print only)
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from '../support/service-process';
import { builtServiceEntry, bundledServiceEntry, repoRoot } from '../support/repo-root';
import { ServiceStorage, type StoreKind } from '../support/storage';

interface Entry {
  label: string;
  file: string;
}

interface Start {
  modulesLoadedMs: number;
  modules: number;
  listeningMs: number;
  healthzMs: number;
}

const ROUNDS = Number(process.env.BENCH_STARTUP_ROUNDS ?? 10);
const STORES = (process.env.BENCH_STORES ?? 'sqlite,postgres').split(',').map((kind) => kind.trim()) as StoreKind[];
const BARE: Entry = { label: 'bare Node HTTP server', file: join(__dirname, 'bare-server.js') };
const MARKS = join(__dirname, 'marks.js');

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));
const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

function entriesFromArgs(): Entry[] {
  const args = process.argv.slice(2);
  if (args.length === 0) {
    return [
      { label: 'file by file', file: builtServiceEntry() },
      { label: 'bundled', file: bundledServiceEntry() },
    ];
  }
  return args.map((arg) => {
    const [label, file] = arg.includes('=') ? (arg.split('=', 2) as [string, string]) : [arg, arg];
    const path = resolve(file);
    if (!existsSync(path)) throw new Error(`${path} does not exist: build it first`);
    return { label, file: path };
  });
}

/** The epoch ms of the first log line saying the service (or the bare server) listens. */
function listeningAt(logFile: string): number | undefined {
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('listening on port')) continue;
    const parsed = JSON.parse(line) as { time?: string };
    return parsed.time ? Date.parse(parsed.time) : Date.now();
  }
  return undefined;
}

async function startOnce(entry: Entry, kind: StoreKind): Promise<Start> {
  const storage = await ServiceStorage.create(kind);
  const [port, grpcPort, managementPort] = [await freePort(), await freePort(), await freePort()];
  const logFile = join(storage.dataDir, 'service.log');
  const marksFile = join(storage.dataDir, 'marks.jsonl');
  const fd = openSync(logFile, 'a');
  const spawnedAt = performance.timeOrigin + performance.now();
  const child = spawn(process.execPath, ['-r', MARKS, entry.file], {
    cwd: storage.dataDir,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      GRPC_PORT: String(grpcPort),
      MANAGEMENT_PORT: String(managementPort),
      LOG_LEVEL: 'info',
      STARTUP_MARKS_FILE: marksFile,
      ...storage.serviceEnv(),
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  try {
    let healthzAt: number | undefined;
    const deadline = performance.now() + 60_000;
    while (healthzAt === undefined) {
      if (child.exitCode !== null) throw new Error(`${entry.label} exited during start-up:\n${readFileSync(logFile, 'utf8').slice(-2_000)}`);
      if (performance.now() > deadline) throw new Error(`${entry.label}: no 200 on /healthz within 60 s`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        if (response.status === 200) healthzAt = performance.timeOrigin + performance.now();
      } catch {
        // Not listening yet.
      }
      if (healthzAt === undefined) await sleep(2);
    }
    // The listening line may still be on its way through the asynchronous log writer.
    let listening = listeningAt(logFile);
    for (let tries = 0; listening === undefined && tries < 100; tries += 1) {
      await sleep(10);
      listening = listeningAt(logFile);
    }
    const marks = JSON.parse(readFileSync(marksFile, 'utf8').split('\n')[0]) as { modulesLoadedAt: number; modules: number };
    return {
      modulesLoadedMs: marks.modulesLoadedAt - spawnedAt,
      modules: marks.modules,
      listeningMs: (listening ?? Number.NaN) - spawnedAt,
      healthzMs: healthzAt - spawnedAt,
    };
  } finally {
    child.kill('SIGKILL');
    await exited;
    await storage.drop();
  }
}

function table(kind: StoreKind, entries: readonly Entry[], starts: Map<string, Start[]>): string[] {
  const bare = median(starts.get(BARE.label)!.map((start) => start.healthzMs));
  const first = median(starts.get(entries[0].label)!.map((start) => start.healthzMs));
  const lines = [
    `### ${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, empty store (medians of ${ROUNDS} starts each, alternating)`,
    '',
    `| entry | modules loaded | static-graph modules | "listening" logged | first 200 on /healthz | x bare server | x ${entries[0].label} | /healthz runs (ms) |`,
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const entry of [...entries, BARE]) {
    const runs = starts.get(entry.label)!;
    const healthz = median(runs.map((start) => start.healthzMs));
    lines.push(
      `| ${entry.label} | ${median(runs.map((start) => start.modulesLoadedMs)).toFixed(0)} ms | ${median(runs.map((start) => start.modules))} | ${median(runs.map((start) => start.listeningMs)).toFixed(0)} ms | **${healthz.toFixed(0)} ms** | ${(healthz / bare).toFixed(1)} | ${(healthz / first).toFixed(2)} | ${runs.map((start) => start.healthzMs.toFixed(0)).join(', ')} |`,
    );
  }
  return lines;
}

async function main(): Promise<void> {
  const entries = entriesFromArgs();
  const lines: string[] = [];
  for (const kind of STORES) {
    const starts = new Map<string, Start[]>([...entries, BARE].map((entry) => [entry.label, []]));
    for (let round = 0; round < ROUNDS; round += 1) {
      // Alternate the order too, so no entry always follows the same one.
      const order = round % 2 === 0 ? [...entries, BARE] : [...entries, BARE].reverse();
      for (const entry of order) {
        const start = await startOnce(entry, kind);
        starts.get(entry.label)!.push(start);
        console.log(`  ${kind} round ${round + 1}: ${entry.label}: loaded ${start.modulesLoadedMs.toFixed(0)} / listening ${start.listeningMs.toFixed(0)} / healthz ${start.healthzMs.toFixed(0)} ms`);
      }
    }
    lines.push(...table(kind, entries, starts), '');
  }
  const report = lines.join('\n');
  console.log(`\n${report}`);
  if (process.env.BENCH_OUTPUT) writeFileSync(join(repoRoot(), 'bench', 'results', `${process.env.BENCH_OUTPUT}.md`), `${report}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
