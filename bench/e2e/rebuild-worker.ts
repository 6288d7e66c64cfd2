/**
 * Rebuilds every projection of the service from its event log, in a process of its own so
 * its peak memory is its own: `process.resourceUsage().maxRSS` is the kernel's high-water mark.
 * Opens the stores exactly as the service does (same helpers, same entities).
 */
import { ProjectionEngine, projectionEngineEntities, subscriptionManagerEntities } from '@app/eventsourcing';
import type { AppConfig } from '../../src/config/app-config';
import { openEventStore } from '../../src/persistence/event-store';
import { openReadModel } from '../../src/persistence/read-model';
import { SERVICE_PROJECTIONS } from '../../src/persistence/service-projections';
import type { ProjectionRebuildFigures, RebuildFigures, RebuildPlan } from './rebuild-protocol';

async function rebuild(plan: RebuildPlan): Promise<RebuildFigures> {
  const config = {
    eventStore: plan.kind,
    dataDir: plan.dataDir,
    ...(plan.databaseUrl ? { databaseUrl: plan.databaseUrl } : {}),
  } as AppConfig;
  let peakHeapUsedBytes = 0;
  const sampler = setInterval(() => {
    peakHeapUsedBytes = Math.max(peakHeapUsedBytes, process.memoryUsage().heapUsed);
  }, 100);
  const store = await openEventStore(config);
  const readModel = await openReadModel(config, [...projectionEngineEntities(SERVICE_PROJECTIONS), ...subscriptionManagerEntities()]);
  try {
    const engine = new ProjectionEngine(store, readModel, SERVICE_PROJECTIONS);
    await engine.init();
    const { logEvents } = plan;
    const projections: ProjectionRebuildFigures[] = [];
    const started = performance.now();
    for (const projection of SERVICE_PROJECTIONS) {
      const result = await engine.rebuild(projection.name, { fresh: true });
      const seconds = result.durationMs / 1000;
      projections.push({ projection: projection.name, seconds, eventsReduced: result.eventsReduced, logEventsPerSecond: logEvents / seconds, switchMs: result.switchMs });
    }
    const totalSeconds = (performance.now() - started) / 1000;
    return {
      logEvents,
      projections,
      totalSeconds,
      logEventsPerSecond: (logEvents * projections.length) / totalSeconds,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      peakHeapUsedBytes,
    };
  } finally {
    clearInterval(sampler);
    await readModel.destroy();
    await store.close();
  }
}

process.once('message', (plan: RebuildPlan) => {
  rebuild(plan).then(
    (result) => process.send!({ ok: true, result }, () => process.exit(0)),
    (error: unknown) => process.send!({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1)),
  );
});
