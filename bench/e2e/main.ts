/**
 * `npm run bench`: the service end to end over HTTP, as deployed: the built service in a child
 * process, autocannon in another (the load generator), on SQLite and on PostgreSQL. See
 * settings.ts for the knobs and ../README.md for what the figures mean.
 */
import { cpus, loadavg } from 'node:os';
import { repoRoot } from '../support/repo-root';
import { runHttpPhases, type HttpPhaseRecord } from './http-phases';
import { runLogPhases, type LogPhaseRecord } from './log-phases';
import { markdownTable, verdict, writeResults, type Row } from './report';
import { loadSettings } from './settings';

interface StoreRecord {
  rows: Row[];
  http?: HttpPhaseRecord;
  log?: LogPhaseRecord;
}

function commandLine(): string {
  const variables = Object.entries(process.env)
    .filter(([name]) => name.startsWith('BENCH_'))
    .map(([name, value]) => `${name}=${value}`);
  return [...variables, 'npm run bench'].join(' ');
}

async function main(): Promise<void> {
  const settings = loadSettings();
  const startedAt = new Date();
  const loadBefore = loadavg();
  console.log(`bench: ${commandLine()} (load average ${loadBefore.map((value) => value.toFixed(2)).join(' ')})`);
  const stores: Record<string, StoreRecord> = {};
  const sections: string[] = [];
  for (const kind of settings.stores) {
    console.log(`bench ${kind}...`);
    const rows: Row[] = [];
    const http = settings.phases.http ? await runHttpPhases(kind, settings, rows) : undefined;
    const log = settings.phases.log ? await runLogPhases(kind, settings, rows) : undefined;
    stores[kind] = { rows, http, log };
    const table = markdownTable(rows);
    sections.push(`### ${kind === 'sqlite' ? 'SQLite (events and read model in DATA_DIR files)' : 'PostgreSQL (events and read model in one schema)'}\n\n${table}`);
    console.log(`\n${table}\n`);
  }
  const loadAfter = loadavg();
  const environment = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, loadBefore, loadAfter, command: commandLine() };
  const failed = Object.values(stores).flatMap((store) => store.rows.filter((row) => ['NO', 'INVALID'].includes(verdict(row))).map((row) => row.metric));
  const markdown = [
    `## End-to-end benchmark, ${startedAt.toISOString()}`,
    '',
    `Command: \`${environment.command}\`. Node ${environment.node}, ${environment.cpus} CPUs (${environment.cpuModel}) shared by the service, the load generator and the database; load average ${loadBefore.map((v) => v.toFixed(2)).join(' ')} before, ${loadAfter.map((v) => v.toFixed(2)).join(' ')} after. Service LOG_LEVEL=${settings.logLevel}. ${settings.repeats} run(s) of ${settings.seconds} s per measurement (medians), after a ${settings.warmupSeconds} s warm-up.`,
    '',
    ...sections.flatMap((section) => [section, '']),
  ].join('\n');
  const file = writeResults(repoRoot(), startedAt, markdown, { startedAt: startedAt.toISOString(), settings, environment, stores }, settings.quick);
  console.log(`results written to ${file} and .json`);
  if (failed.length > 0) console.log(`targets missed or invalid: ${failed.join('; ')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
