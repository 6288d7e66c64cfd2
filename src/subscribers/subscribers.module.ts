import { Inject, Injectable, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { EventStore } from '@app/event-store';
import { SubscriptionManager } from '@app/eventsourcing';
import type { DataSource } from 'typeorm';
import { componentLogger } from '../observability/logging/component-logger';
import { subscriberMetricsObserver } from '../observability/metrics/observers';
import { ServiceMetrics } from '../observability/metrics/service-metrics';
import { OPERATIONS_OPTIONS, type OperationsOptions } from '../observability/operations-options';
import { BackgroundStart } from '../persistence/background-start';
import { EVENT_STORE, READ_MODEL } from '../persistence/persistence.tokens';
import { ExecutionTargetCleanup } from './execution-target-cleanup';

const logger = componentLogger('Subscribers');

/**
 * Delivers events to the built-in subscribers while the service runs. Started once the
 * command handlers are registered (CqrsModule, being global, bootstraps first); stopped before
 * the stores close (PersistenceModule, being global, shuts down last).
 */
@Injectable()
class SubscribersLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly start: BackgroundStart;

  constructor(
    private readonly manager: SubscriptionManager,
    @Inject(OPERATIONS_OPTIONS) private readonly operations: OperationsOptions,
    metrics: ServiceMetrics,
  ) {
    this.start = new BackgroundStart('Subscribers', () => manager.start(), logger);
    metrics.readSubscribersFrom(async () =>
      (await manager.status()).subscribers.map(({ name, position, lag, failedEvents }) => ({ name, position, lag, failedEvents })),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.operations.live) await this.start.begin();
  }

  /** Lets the event in hand finish and gives the leases up for another replica. */
  async onApplicationShutdown(): Promise<void> {
    await this.start.stop();
    await this.manager.stop();
  }
}

/** The durable subscribers the service runs, on the read-model database's checkpoints. */
@Module({
  imports: [CqrsModule],
  providers: [
    ExecutionTargetCleanup,
    {
      provide: SubscriptionManager,
      inject: [EVENT_STORE, READ_MODEL, ServiceMetrics, OPERATIONS_OPTIONS, ExecutionTargetCleanup],
      useFactory: (store: EventStore, readModel: DataSource, metrics: ServiceMetrics, operations: OperationsOptions, cleanup: ExecutionTargetCleanup) =>
        new SubscriptionManager(store, readModel, [cleanup], {
          maxAttempts: operations.subscriberMaxAttempts,
          retryDelay: { initialMs: operations.subscriberRetryInitialMs, maxMs: 30_000 },
          leaseMs: operations.subscriberLeaseMs,
          logger,
          observer: subscriberMetricsObserver(metrics),
        }),
    },
    SubscribersLifecycle,
  ],
  exports: [SubscriptionManager],
})
export class SubscribersModule {}
