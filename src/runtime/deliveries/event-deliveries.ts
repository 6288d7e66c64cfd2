import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { EventStore } from '@app/event-store';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { componentLogger } from '../../observability/logging/component-logger';
import { ServiceMetrics } from '../../observability/metrics/service-metrics';
import { OPERATIONS_OPTIONS, type OperationsOptions } from '../../observability/operations-options';
import { BackgroundStart } from '../../persistence/background-start';
import { lagInEvents } from '../../persistence/log-lag';
import { EVENT_STORE, READ_MODEL } from '../../persistence/persistence.tokens';
import { initializeReadModel } from '../../persistence/read-model';
import { TargetCaller } from '../calls/target-caller';
import { ExecutionIndex } from '../index/execution-index';
import { DeliveryRecorder } from './delivery-recorder';
import { DeliveryStore } from './delivery-store';
import { DeliveryWorker } from './delivery-worker';

const logger = componentLogger('Deliveries');

/** Longest wait between two retries of one delivery. */
const RETRY_MAX_MS = 300_000;
/** How often a worker looks for due deliveries without a wake-up (retries, other replicas' recordings). */
const POLL_MS = 250;

interface Running {
  store: DeliveryStore;
  recorder: DeliveryRecorder;
  worker: DeliveryWorker;
}

/** The recorder as operators see it (`/readyz`): its checkpoint, and its lag counted in events. */
export interface RecorderStatus {
  position: number;
  /** Events after the checkpoint, counted up to LAG_COUNT_CAP. */
  lagEvents: number;
}

/**
 * Event executions (spec §4) while the service runs: the recorder turning events into
 * deliveries and the worker sending them, made once the read-model database is reachable.
 */
@Injectable()
export class EventDeliveries implements OnApplicationBootstrap, OnApplicationShutdown {
  private running: Promise<Running> | undefined;
  private created: Running | undefined;
  private readonly start: BackgroundStart;

  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(READ_MODEL) private readonly readModel: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(OPERATIONS_OPTIONS) private readonly operations: OperationsOptions,
    private readonly index: ExecutionIndex,
    private readonly caller: TargetCaller,
    private readonly metrics: ServiceMetrics,
  ) {
    this.start = new BackgroundStart(
      'Event deliveries',
      async () => {
        const { recorder, worker } = await this.get();
        await recorder.start();
        await worker.start();
      },
      logger,
    );
    metrics.readDeliveriesFrom(async () => {
      const { store } = await this.get();
      const [counts, recorder] = await Promise.all([store.counts(), this.recorderStatus()]);
      return { ...counts, recorderLag: recorder.lagEvents };
    });
  }

  /** Where the recorder's checkpoint stands, and how many events it has yet to turn into deliveries. */
  async recorderStatus(): Promise<RecorderStatus> {
    const { store } = await this.get();
    const [checkpoint, head] = await Promise.all([store.checkpoint(), this.eventStore.headPosition()]);
    const position = checkpoint ?? head;
    return { position, lagEvents: await lagInEvents(this.eventStore, position, Math.max(0, head - position)) };
  }

  /** The table, recorder and worker; rejects while the read-model database cannot be reached (the next call tries again). */
  get(): Promise<Running> {
    this.running ??= this.create().catch((error: unknown) => {
      this.running = undefined;
      throw error;
    });
    return this.running;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.operations.live) await this.start.begin();
  }

  /** The deliveries in flight finish; claims of those waiting go back for another replica. */
  async onApplicationShutdown(): Promise<void> {
    await this.start.stop();
    await this.created?.recorder.stop();
    await this.created?.worker.stop();
  }

  private async create(): Promise<Running> {
    await initializeReadModel(this.config, this.readModel);
    const store = new DeliveryStore(this.readModel);
    const { metrics, operations } = this;
    const worker = new DeliveryWorker(
      store,
      this.index,
      this.caller,
      {
        owner: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
        maxAttempts: operations.deliveryMaxAttempts,
        retryInitialMs: operations.deliveryRetryInitialMs,
        retryMaxMs: RETRY_MAX_MS,
        maxAgeMs: operations.deliveryMaxAgeMs,
        concurrency: operations.deliveryConcurrency,
        concurrencyPerTarget: operations.deliveryConcurrencyPerTarget,
        claimMs: operations.deliveryClaimMs,
        pollMs: POLL_MS,
      },
      logger,
      {
        onDelivered: (_row, ageMs) => {
          metrics.deliveries.inc({ outcome: 'delivered' });
          metrics.deliveryAge.observe(ageMs / 1000);
        },
        onRetry: () => metrics.deliveries.inc({ outcome: 'retried' }),
        onParked: () => metrics.deliveries.inc({ outcome: 'parked' }),
        onDropped: (count) => {
          metrics.deliveries.inc({ outcome: 'dropped' }, count);
          metrics.droppedDeliveries.inc(count);
        },
      },
    );
    const recorder = new DeliveryRecorder(this.eventStore, store, this.index, () => worker.wake(), logger);
    await recorder.init();
    this.created = { store, recorder, worker };
    return this.created;
  }
}
