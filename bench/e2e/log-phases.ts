import { join } from 'node:path';
import { createEventStore, type EventStore } from '@app/event-store';
import { ensureEmbeddedKeys } from '../../src/auth/embedded-keys';
import { embeddedToken } from '../support/api-client';
import { runWorker } from '../support/fork-worker';
import { bundledServiceEntry } from '../support/repo-root';
import { freePort, ServiceProcess } from '../support/service-process';
import { median, round } from '../support/stats';
import { ServiceStorage, type StoreKind } from '../support/storage';
import type { RebuildFigures, RebuildPlan } from './rebuild-protocol';
import type { Row } from './report';
import { seedLog, type SeedFigures } from './seed-log';
import type { BenchSettings } from './settings';

export interface StartupFigures {
  /** Milliseconds from spawn to the first 200 of each probe, per start. */
  healthz: number[];
  authenticatedList: number[];
  readyz: number[];
}

export interface LogPhaseRecord {
  seed?: SeedFigures;
  rebuild?: RebuildFigures;
  startupWithLog?: StartupFigures;
  startupEmpty: StartupFigures;
}

function openStore(storage: ServiceStorage): Promise<EventStore> {
  return storage.kind === 'sqlite'
    ? createEventStore({ kind: 'sqlite', file: storage.eventsFile })
    : createEventStore({ kind: 'postgres', connectionString: storage.serverUrl!, schema: storage.schema! });
}

/**
 * Starts the service `repeats` times on `storage` as `npm start` runs it (the bundle), and
 * records, from each spawn, the first 200 of /healthz, of an authenticated ListExecutions of
 * `instanceId`, and of /readyz (projections within their lag bound, i.e. nothing left to replay).
 */
async function measureStartups(storage: ServiceStorage, settings: BenchSettings, instanceId: string): Promise<StartupFigures> {
  await ensureEmbeddedKeys(storage.dataDir);
  const token = await embeddedToken(storage.dataDir, instanceId);
  const figures: StartupFigures = { healthz: [], authenticatedList: [], readyz: [] };
  for (let repeat = 0; repeat < settings.startupRepeats; repeat += 1) {
    const service = ServiceProcess.spawn({ storage, logLevel: settings.logLevel, entry: bundledServiceEntry() }, await freePort(), await freePort(), await freePort());
    try {
      figures.healthz.push(await service.waitForHealth(60_000));
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      figures.authenticatedList.push(await service.waitForStatus('/v3alpha/executions/search', 200, 60_000, headers, '{"query":{"limit":100}}'));
      figures.readyz.push(await service.waitForStatus('/readyz', 200, 60_000));
    } finally {
      await service.stop();
    }
  }
  return figures;
}

function startupRows(label: string, figures: StartupFigures, withTarget: boolean): Row[] {
  const runs = (values: number[]): string => `runs ${values.map((value) => Math.round(value)).join(', ')} ms`;
  const target = withTarget ? { max: 2000 } : undefined;
  return [
    { metric: `start-up to first 200 on /healthz, ${label}`, value: Math.round(median(figures.healthz)), unit: 'ms', target, detail: runs(figures.healthz) },
    { metric: `start-up to first 200 on an authenticated ListExecutions, ${label}`, value: Math.round(median(figures.authenticatedList)), unit: 'ms', target, detail: runs(figures.authenticatedList) },
    { metric: `start-up to /readyz 200, ${label}`, value: Math.round(median(figures.readyz)), unit: 'ms', detail: runs(figures.readyz) },
  ];
}

/**
 * Seeds a log of `settings.logEvents` events straight through the event-store library,
 * rebuilds every projection from it in a separate process, then times service start-ups on
 * that log (the read model is persistent, so nothing is replayed) and on an empty store.
 */
export async function runLogPhases(kind: StoreKind, settings: BenchSettings, rows: Row[]): Promise<LogPhaseRecord> {
  const record: LogPhaseRecord = { startupEmpty: { healthz: [], authenticatedList: [], readyz: [] } };
  if (settings.logEvents > 0) {
    const storage = await ServiceStorage.create(kind);
    try {
      const store = await openStore(storage);
      let reported = 0;
      try {
        record.seed = await seedLog(store, settings.logEvents, (events) => {
          if (events - reported >= settings.logEvents / 5) {
            reported = events;
            console.log(`  ${kind}: seeded ${events.toLocaleString('en-US')} events`);
          }
        });
      } finally {
        await store.close();
      }
      const seed = record.seed;
      console.log(`  ${kind}: log of ${seed.events.toLocaleString('en-US')} events (${seed.instances} instances, ${seed.streams} streams) in ${round(seed.seconds)} s`);

      const plan: RebuildPlan = { kind, dataDir: storage.dataDir, ...(storage.databaseUrl() ? { databaseUrl: storage.databaseUrl()! } : {}), logEvents: seed.events };
      const rebuild = await runWorker<RebuildPlan, RebuildFigures>(join(__dirname, 'rebuild-worker.js'), plan);
      record.rebuild = rebuild;
      const perProjection = rebuild.projections
        .map((p) => `${p.projection}: ${round(p.seconds)} s, ${Math.round(p.logEventsPerSecond).toLocaleString('en-US')} log events/s, ${p.eventsReduced.toLocaleString('en-US')} reduced, switch ${Math.round(p.switchMs)} ms`)
        .join('; ');
      rows.push({
        metric: `rebuild of every projection from a ${seed.events.toLocaleString('en-US')}-event log`,
        value: Math.round(rebuild.logEventsPerSecond),
        unit: 'events/s',
        target: { min: 20_000 },
        detail: `log replayed once per projection, ${round(rebuild.totalSeconds)} s in all; ${perProjection}`,
      });
      rows.push({
        metric: 'peak memory of the rebuilding process',
        value: round(rebuild.peakRssBytes / 2 ** 20),
        unit: 'MiB RSS',
        target: { max: 300 },
        detail: `kernel high-water mark (maxRSS); largest sampled V8 heap ${round(rebuild.peakHeapUsedBytes / 2 ** 20)} MiB`,
      });
      record.startupWithLog = await measureStartups(storage, settings, 'seed-instance-0');
      rows.push(...startupRows(`${seed.events.toLocaleString('en-US')}-event log`, record.startupWithLog, true));
    } finally {
      await storage.drop();
    }
  }
  const empty = await ServiceStorage.create(kind);
  try {
    record.startupEmpty = await measureStartups(empty, settings, 'bench-empty');
    rows.push(...startupRows('empty store', record.startupEmpty, false));
  } finally {
    await empty.drop();
  }
  return record;
}
