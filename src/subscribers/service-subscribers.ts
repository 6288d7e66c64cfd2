import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '@app/event-store';
import { SubscriptionManager } from '@app/eventsourcing';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { componentLogger } from '../observability/logging/component-logger';
import { subscriberMetricsObserver } from '../observability/metrics/observers';
import { ServiceMetrics } from '../observability/metrics/service-metrics';
import { OPERATIONS_OPTIONS, type OperationsOptions } from '../observability/operations-options';
import { lagInEvents } from '../persistence/log-lag';
import { EVENT_STORE, READ_MODEL } from '../persistence/persistence.tokens';
import { initializeReadModel } from '../persistence/read-model';
import type { SubscriberReport } from '../system/system-views';
import { ExecutionTargetCleanup } from './execution-target-cleanup';

export const subscribersLogger = componentLogger('Subscribers');

/**
 * The SubscriptionManager of the built-in subscribers, made on first use: it needs the
 * read-model database connected (it reads table metadata), and the service must be able to
 * start while that database is unreachable.
 */
@Injectable()
export class ServiceSubscribers {
  private manager: Promise<SubscriptionManager> | undefined;
  private created: SubscriptionManager | undefined;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL) private readonly readModel: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(OPERATIONS_OPTIONS) private readonly operations: OperationsOptions,
    private readonly metrics: ServiceMetrics,
    private readonly cleanup: ExecutionTargetCleanup,
  ) {}

  /** Rejects while the read-model database cannot be reached; the next call tries again. */
  get(): Promise<SubscriptionManager> {
    this.manager ??= this.create().catch((error: unknown) => {
      this.manager = undefined;
      throw error;
    });
    return this.manager;
  }

  /** Each subscriber's checkpoint, lag in events, lease holder and failed events, as stored. */
  async report(): Promise<SubscriberReport[]> {
    const { subscribers } = await (await this.get()).status();
    return Promise.all(
      subscribers.map(async (status) => ({
        name: status.name,
        position: status.position,
        lagEvents: await lagInEvents(this.store, status.position, status.lag),
        leaseHolder: status.owner,
        leaseUntil: status.leaseUntil?.toISOString() ?? null,
        heldHere: status.ownedHere,
        failedEvents: status.failedEvents,
      })),
    );
  }

  /** Stops delivery if the manager was ever made (nothing to stop otherwise). */
  async stop(): Promise<void> {
    await this.created?.stop();
  }

  private async create(): Promise<SubscriptionManager> {
    await initializeReadModel(this.config, this.readModel);
    this.created = new SubscriptionManager(this.store, this.readModel, [this.cleanup], {
      maxAttempts: this.operations.subscriberMaxAttempts,
      retryDelay: { initialMs: this.operations.subscriberRetryInitialMs, maxMs: 30_000 },
      leaseMs: this.operations.subscriberLeaseMs,
      logger: subscribersLogger,
      observer: subscriberMetricsObserver(this.metrics),
    });
    return this.created;
  }
}
