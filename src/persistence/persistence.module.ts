import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { EventStore } from '@app/event-store';
import type { Projection } from '@app/eventsourcing';
import { ProjectionEngine } from '@app/eventsourcing/projections/projection-engine';

import type { DataSource } from 'typeorm';
import { isConnectionFailure } from './connection-failure';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { componentLogger } from '../observability/logging/component-logger';
import { projectionMetricsObserver } from '../observability/metrics/observers';
import { ServiceMetrics } from '../observability/metrics/service-metrics';
import { OPERATIONS_OPTIONS, type OperationsOptions } from '../observability/operations-options';
import { currentContextMetadata } from '../observability/request/request-context';
import { AppendTrackingEventStore } from './append-tracking-event-store';
import { BackgroundStart } from './background-start';
import { ContextualEventStore } from './contextual-event-store';
import { openServiceEventStore } from './event-store';
import { EVENT_STORE, READ_MODEL } from './persistence.tokens';
import { createReadModel, initializeReadModel } from './read-model';
import { readModelEntities } from './read-model-entities';
import { ReadModelSync } from './read-model-sync';
import { lagInEvents } from './log-lag';

const logger = componentLogger('Projections');
const persistenceLogger = componentLogger('Persistence');

/** A store unreachable at start: the service starts anyway, not ready, answering 503. */
function storeDeferred(store: string, error: unknown): void {
  persistenceLogger.warn(`The ${store} is unreachable; starting without it and retrying`, { error: error instanceof Error ? error.message : String(error) });
}

/** Runs the projections live while the service is up, and closes the stores on shutdown. */
@Injectable()
class PersistenceLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly start: BackgroundStart;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL) private readonly readModel: DataSource,
    @Inject(OPERATIONS_OPTIONS) private readonly operations: OperationsOptions,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly engine: ProjectionEngine,
    metrics: ServiceMetrics,
  ) {
    this.start = new BackgroundStart('Projection engine', async () => {
      await initializeReadModel(config, readModel);
      await engine.start();
    }, logger);
    metrics.readProjectionsFrom(async () =>
      Promise.all((await engine.status()).projections.map(async ({ name, position, lag }) => ({ name, position, lag: await lagInEvents(store, position, lag) }))),
    );
  }

  async onModuleInit(): Promise<void> {
    if (this.operations.live) await this.start.begin();
  }

  /** After the HTTP and RPC servers have finished their requests: the batch in flight commits, then the stores close. */
  async onApplicationShutdown(): Promise<void> {
    await this.start.stop();
    await this.engine.stop();
    await Promise.allSettled([this.readModel.destroy(), this.store.close()]);
  }
}

/**
 * The event store, the read-model DataSource and the projection engine feeding it, as Nest
 * providers (global: every capability needs them).
 */
@Global()
@Module({})
export class PersistenceModule {
  static forRoot(projections: readonly Projection[]): DynamicModule {
    return {
      module: PersistenceModule,
      providers: [
        {
          provide: EVENT_STORE,
          inject: [APP_CONFIG, ServiceMetrics],
          useFactory: async (config: AppConfig, metrics: ServiceMetrics) =>
            new AppendTrackingEventStore(
              new ContextualEventStore(await openServiceEventStore(config, (error) => storeDeferred('event store', error)), {
                contextMetadata: currentContextMetadata,
                onAppend: ({ outcome, events, durationMs }) => {
                  metrics.appends.inc({ outcome });
                  if (outcome === 'ok') metrics.appendedEvents.inc(events);
                  metrics.appendDuration.observe(durationMs / 1000);
                },
              }),
            ),
        },
        { provide: ReadModelSync, inject: [ProjectionEngine, EVENT_STORE], useFactory: (engine: ProjectionEngine, store: AppendTrackingEventStore) => new ReadModelSync(engine, store) },
        {
          provide: READ_MODEL,
          inject: [APP_CONFIG],
          useFactory: async (config: AppConfig) => {
            const readModel = createReadModel(config, readModelEntities(projections));
            await initializeReadModel(config, readModel).catch((error: unknown) => {
              // Connected later by the projection engine's start (retried) or the first query.
              if (!isConnectionFailure(error)) throw error;
              storeDeferred('read-model database', error);
            });
            return readModel;
          },
        },
        {
          provide: ProjectionEngine,
          inject: [EVENT_STORE, READ_MODEL, ServiceMetrics, OPERATIONS_OPTIONS],
          useFactory: (store: EventStore, readModel: DataSource, metrics: ServiceMetrics, operations: OperationsOptions) =>
            new ProjectionEngine(store, readModel, projections, { logger, observer: projectionMetricsObserver(metrics), waitTimeoutMs: operations.readWaitMs }),
        },
        PersistenceLifecycle,
      ],
      exports: [EVENT_STORE, READ_MODEL, ProjectionEngine, ReadModelSync],
    };
  }
}
