import { Inject, Injectable, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ServiceMetrics } from '../observability/metrics/service-metrics';
import { OPERATIONS_OPTIONS, type OperationsOptions } from '../observability/operations-options';
import { BackgroundStart } from '../persistence/background-start';
import { ExecutionTargetCleanup } from './execution-target-cleanup';
import { ServiceSubscribers, subscribersLogger } from './service-subscribers';

/**
 * Delivers events to the built-in subscribers while the service runs. Started once the
 * command handlers are registered (CqrsModule, being global, bootstraps first); stopped before
 * the stores close (PersistenceModule, being global, shuts down last).
 */
@Injectable()
class SubscribersLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly start: BackgroundStart;

  constructor(
    private readonly subscribers: ServiceSubscribers,
    @Inject(OPERATIONS_OPTIONS) private readonly operations: OperationsOptions,
    metrics: ServiceMetrics,
  ) {
    this.start = new BackgroundStart('Subscribers', async () => (await subscribers.get()).start(), subscribersLogger);
    metrics.readSubscribersFrom(async () =>
      (await subscribers.report()).map(({ name, position, lagEvents, failedEvents }) => ({ name, position, lag: lagEvents, failedEvents })),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.operations.live) await this.start.begin();
  }

  /** Lets the event in hand finish and gives the leases up for another replica. */
  async onApplicationShutdown(): Promise<void> {
    await this.start.stop();
    await this.subscribers.stop();
  }
}

/** The durable subscribers the service runs, on the read-model database's checkpoints. */
@Module({
  imports: [CqrsModule],
  providers: [ExecutionTargetCleanup, ServiceSubscribers, SubscribersLifecycle],
  exports: [ServiceSubscribers],
})
export class SubscribersModule {}
