/**
 * bench:store: append and read throughput of each event-store adapter, on fresh storage.
 *
 * Environment (all optional):
 *   BENCH_ADAPTERS=sqlite,postgres   which adapters to run
 *   BENCH_APPENDS_ONLY=1             only the append rows (and the raw baseline), no reads
 *   BENCH_OUTPUT=store-<date>        base name of the results files in bench/results/
 *   BENCH_SECONDS=3                  duration of each append measurement
 *   BENCH_REPEATS=3                  append measurements are repeated and the median reported
 *   BENCH_LOG_SIZES=100000,1000000   log sizes for the readAll measurement
 *   BENCH_PROJECTION_EVENTS=100000   events for the projection catch-up row (0 skips it)
 *   BENCH_DATABASE_URL / TEST_DATABASE_URL   PostgreSQL server (a fresh schema, dropped afterwards)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openTarget, type AdapterName } from './adapters';
import { measureProjectionCatchUp } from './projection-catchup';
import { fillLog, measureAppends, measureReadAll, round2 } from './workloads';

interface Row {
  metric: string;
  value: number;
  unit: string;
  target?: number;
  detail?: string;
}

const TARGETS: Record<AdapterName, Record<string, number>> = {
  postgres: { append1: 2_000, append8: 6_000, batched1: 35_000, readAll: 150_000, projection: 20_000 },
  sqlite: { append1: 5_000, batched1: 100_000, readAll: 300_000, projection: 20_000 },
};

function envList(name: string, fallback: string): string[] {
  return (process.env[name] ?? fallback)
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const repeats = Math.max(1, Number(process.env.BENCH_REPEATS ?? 3));
const logSizes = envList('BENCH_LOG_SIZES', '100000,1000000')
  .map(Number)
  .sort((a, b) => a - b);
const projectionEvents = Number(process.env.BENCH_PROJECTION_EVENTS ?? 100_000);
const adapters = envList('BENCH_ADAPTERS', 'sqlite,postgres') as AdapterName[];
const appendsOnly = process.env.BENCH_APPENDS_ONLY === '1';
/** 10-event appends with 8 writers should reach this share of the raw INSERT baseline. */
const RAW_SHARE_TARGET = 0.9;

async function benchAdapter(adapter: AdapterName): Promise<{ rows: Row[]; describe: string }> {
  const target = TARGETS[adapter];
  const rows: Row[] = [];
  const bench = await openTarget(adapter);
  try {
    const { store } = bench;
    await measureAppends(store, 1, 1, 0.3); // warm-up: statements prepared, code optimised
    const appendRow = async (metric: string, writers: number, perAppend: number, targetValue: number | undefined) => {
      const values: number[] = [];
      for (let run = 0; run < repeats; run += 1) {
        const figures = await measureAppends(store, writers, perAppend, seconds);
        values.push(perAppend === 1 ? figures.appendsPerSecond : figures.eventsPerSecond);
      }
      const value = median(values);
      rows.push({ metric, value, unit: perAppend === 1 ? 'appends/s' : 'events/s', target: targetValue, detail: `median of ${repeats} runs of ${seconds} s: ${values.join(', ')}` });
      console.log(`  ${adapter}: ${metric}: ${values.join(', ')} (median ${value})`);
    };
    await appendRow('append, 1 event, 1 writer', 1, 1, target.append1);
    await appendRow('append, 1 event, 8 writers', 8, 1, target.append8);
    // 10-event appends alternate with the raw INSERT baseline run by run, so both see the same load.
    const raw = await bench.openRawBaseline();
    try {
      for (const writers of [1, 8]) {
        const storeValues: number[] = [];
        const rawValues: number[] = [];
        await raw.measure(writers, 10, 0.3);
        for (let run = 0; run < repeats; run += 1) {
          storeValues.push((await measureAppends(store, writers, 10, seconds)).eventsPerSecond);
          rawValues.push((await raw.measure(writers, 10, seconds)).eventsPerSecond);
        }
        const value = median(storeValues);
        const rawValue = median(rawValues);
        const shares = storeValues.map((storeValue, run) => `${Math.round((100 * storeValue) / rawValues[run])}%`);
        const writersLabel = writers === 1 ? '1 writer' : `${writers} writers`;
        rows.push({
          metric: `append, 10 events, ${writersLabel}`,
          value,
          unit: 'events/s',
          target: writers === 1 ? target.batched1 : Math.round(RAW_SHARE_TARGET * rawValue),
          detail: `median of ${repeats} runs of ${seconds} s: ${storeValues.join(', ')}; of the raw baseline run just after each: ${shares.join(', ')}${writers === 1 ? '' : ` (target ${100 * RAW_SHARE_TARGET}% of its median)`}`,
        });
        rows.push({ metric: `raw INSERT baseline, 10 rows per statement, ${writersLabel}`, value: rawValue, unit: 'events/s', detail: `median of ${repeats} runs of ${seconds} s: ${rawValues.join(', ')}` });
        console.log(`  ${adapter}: 10-event appends, ${writersLabel}: ${storeValues.join(', ')}; raw baseline ${rawValues.join(', ')}`);
      }
    } finally {
      await raw.close();
    }
  } finally {
    await bench.cleanup();
  }
  if (appendsOnly) return { rows, describe: bench.describe };

  // Reads run on a log of exactly the sizes asked for, grown in place from the smallest.
  const readBench = await openTarget(adapter);
  try {
    const { store } = readBench;
    let logEvents = 0;
    for (const size of logSizes) {
      if (logEvents < size) {
        const fillStarted = performance.now();
        logEvents = await fillLog(store, logEvents, size);
        console.log(`  ${adapter}: log filled to ${logEvents} events in ${round2((performance.now() - fillStarted) / 1000)} s`);
      }
      const read = await measureReadAll(store, logEvents, 1000);
      rows.push({
        metric: `readAll, ${logEvents} events, pages of 1000`,
        value: read.eventsPerSecond,
        unit: 'events/s',
        target: target.readAll,
        detail: `first 10 pages ${read.firstPagesMs} ms/page, last 10 pages ${read.lastPagesMs} ms/page, ${read.eventsRead} read, exactly once: ${read.exactlyOnce ? 'yes' : 'NO'}`,
      });
      console.log(`  ${adapter}: readAll ${logEvents}: ${read.eventsPerSecond} events/s`);
      if (!read.exactlyOnce) throw new Error(`readAll on ${adapter} did not read every event exactly once (${read.eventsRead} of ${logEvents})`);
    }
  } finally {
    await readBench.cleanup();
  }

  if (projectionEvents > 0) {
    // A fresh log, so the rate measures the engine rather than scanning past the bench's own events.
    const fresh = await openTarget(adapter);
    try {
      const result = await measureProjectionCatchUp(fresh.store, adapter, { dataSourceOptions: fresh.dataSourceOptions, events: projectionEvents });
      rows.push({ metric: `projection catch-up, ${result.events} events`, value: result.eventsPerSecond, unit: 'events/s', target: target.projection });
      console.log(`  ${adapter}: projection catch-up: ${result.eventsPerSecond} events/s`);
    } finally {
      await fresh.cleanup();
    }
  }
  return { rows, describe: bench.describe };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : Math.round((sorted[middle - 1] + sorted[middle]) / 2);
}

function markdownTable(rows: Row[]): string {
  const lines = ['| metric | value | target | met | detail |', '|---|---:|---:|:---:|---|'];
  for (const row of rows) {
    const met = row.target === undefined ? '' : row.value >= row.target ? 'yes' : 'NO';
    lines.push(`| ${row.metric} | ${row.value.toLocaleString('en-US')} ${row.unit} | ${row.target?.toLocaleString('en-US') ?? ''} | ${met} | ${row.detail ?? ''} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const results: Record<string, { describe: string; rows: Row[] }> = {};
  const sections: string[] = [];
  for (const adapter of adapters) {
    console.log(`bench:store ${adapter}...`);
    const result = await benchAdapter(adapter);
    results[adapter] = result;
    const section = `### ${adapter}\n${result.describe}\n\n${markdownTable(result.rows)}`;
    sections.push(section);
    console.log(`\n${section}\n`);
  }
  const environment = { node: process.version, cpus: (await import('node:os')).cpus().length, loadAverage: (await import('node:os')).loadavg(), seconds, repeats, logSizes, projectionEvents };
  const name = process.env.BENCH_OUTPUT ?? `store-${startedAt.toISOString().slice(0, 10)}`;
  const dir = join(__dirname, '..', '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify({ startedAt: startedAt.toISOString(), environment, results }, null, 2)}\n`);
  writeFileSync(
    join(dir, `${name}.md`),
    `## bench:store, ${startedAt.toISOString()}\n\nNode ${environment.node}, ${environment.cpus} CPUs (load average at the end ${environment.loadAverage.map((l) => l.toFixed(2)).join(' ')}), ${seconds} s per append measurement, median of ${repeats}.\n\n${sections.join('\n\n')}\n`,
  );
  console.log(`results written to bench/results/${name}.{json,md}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
