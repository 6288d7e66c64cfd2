import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { EventStore } from '@app/event-store';
import type { Projection } from '@app/eventsourcing';
import { ProjectionEngine, projectionEngineEntities } from '@app/eventsourcing/projections/projection-engine';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { AppendTrackingEventStore } from './append-tracking-event-store';
import { openEventStore } from './event-store';
import { ReadModelSync } from './read-model-sync';
import { EVENT_STORE, READ_MODEL } from './persistence.tokens';
import { openReadModel } from './read-model';

/** Runs the projections live while the service is up, and closes the stores on shutdown. */
@Injectable()
class PersistenceLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL) private readonly readModel: DataSource,
    private readonly engine: ProjectionEngine,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.engine.start();
  }

  async onApplicationShutdown(): Promise<void> {
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
    const logger = new Logger('Projections');
    return {
      module: PersistenceModule,
      providers: [
        {
          provide: EVENT_STORE,
          inject: [APP_CONFIG],
          useFactory: async (config: AppConfig) => new AppendTrackingEventStore(await openEventStore(config)),
        },
        { provide: ReadModelSync, inject: [ProjectionEngine, EVENT_STORE], useFactory: (engine: ProjectionEngine, store: AppendTrackingEventStore) => new ReadModelSync(engine, store) },
        {
          provide: READ_MODEL,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => openReadModel(config, projectionEngineEntities(projections)),
        },
        {
          provide: ProjectionEngine,
          inject: [EVENT_STORE, READ_MODEL],
          useFactory: (store: EventStore, readModel: DataSource) =>
            new ProjectionEngine(store, readModel, projections, {
              logger: {
                info: (message, fields) => logger.log(fields ? `${message} ${JSON.stringify(fields)}` : message),
                warn: (message, fields) => logger.warn(fields ? `${message} ${JSON.stringify(fields)}` : message),
                error: (message, fields) => logger.error(fields ? `${message} ${JSON.stringify(fields)}` : message),
              },
            }),
        },
        PersistenceLifecycle,
      ],
      exports: [EVENT_STORE, READ_MODEL, ProjectionEngine, ReadModelSync],
    };
  }
}
