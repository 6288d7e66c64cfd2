import type { EventStore } from '@app/event-store';
import { AppendWakeUp } from '../live/append-wake-up';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { DataSource } from 'typeorm';
import { dialectOf, quotedTablePath, type DatabaseDialect } from '../projections/database-dialect';
import { silentLogger, type ProjectionLogger } from '../projections/logger';
import type { EntityTarget } from '../projections/projection';
import { synchronizeEntities } from '../projections/schema-sync';
import { UnknownSubscriberError } from './errors';
import type { EventSubscriber } from './event-subscriber';
import { listFailedEvents, retryFailedEvents, type FailedEvent, type FailedEventsContext, type ListFailedOptions, type RetryFailedResult } from './failed-events';
import { SubscriberCheckpoints } from './subscriber-checkpoints';
import type { SubscriberObserver } from './subscriber-observer';
import { SubscriberRunner } from './subscriber-runner';
import { FailedEventEntity, SubscriberCheckpointEntity } from './subscriber-tables';

export interface SubscriptionManagerOptions {
  /** Deliveries of one event before it is recorded in failed_events. Default 5. */
  maxAttempts?: number;
  /**
   * Backoff between deliveries of a failing event (and after database failures): doubles from
   * `initialMs` up to `maxMs`, with jitter. Default 200 ms / 30 s.
   */
  retryDelay?: { initialMs: number; maxMs: number };
  /** Events read from the log per page. Default 100. */
  batchSize?: number;
  /**
   * How long a runner's delivery lease lasts without renewal (it is renewed every third of
   * it): after a crash, another process takes over after at most this long. Default 10 s:
   * a live owner loses it only after two failed renewals in a row (6.7 s without a write).
   */
  leaseMs?: number;
  /** Live mode also looks for new events and free leases this often. Default 1000 ms. */
  pollIntervalMs?: number;
  /** How long `catchUp` waits. Default 10 s. */
  waitTimeoutMs?: number;
  /** Create the two tables in `init()`. Default true. */
  synchronizeSchema?: boolean;
  /** SQLite: how long a write keeps retrying while another process holds the write lock. Default 10 s. */
  sqliteLockWaitMs?: number;
  /** Names this process in leases (status shows it). Default `<host>:<pid>:<random>`. */
  runnerId?: string;
  logger?: ProjectionLogger;
  observer?: SubscriberObserver;
}

export interface SubscriberStatus {
  name: string;
  /** Checkpoint: events up to this global position (inclusive) were handled or parked. */
  position: number;
  /** Head position minus checkpoint, in position units (see ProjectionStatus.lag). */
  lag: number;
  eventsHandled: number;
  /** Events ever parked in failed_events. */
  eventsParked: number;
  /** Parked events still `failed` (not resolved by a retry). */
  failedEvents: number;
  updatedAt: Date | null;
  /** Runner holding an unexpired lease, or null when none does. */
  owner: string | null;
  leaseUntil: Date | null;
  /** This manager holds the lease. */
  ownedHere: boolean;
}

export interface SubscriptionManagerStatus {
  headPosition: number;
  /** True between `start()` and `stop()`. */
  live: boolean;
  runnerId: string;
  subscribers: SubscriberStatus[];
}

/** The entities to list in the read-model DataSource's `entities` for the subscribers' tables. */
export function subscriptionManagerEntities(): EntityTarget[] {
  return [SubscriberCheckpointEntity, FailedEventEntity];
}

/**
 * Durable event subscribers: each gets its own checkpoint in the read-model database and its
 * events at least once, in log order, one at a time, retried with backoff and parked in
 * failed_events after `maxAttempts` so one bad event never blocks the subscriber. One runner
 * per subscriber across processes (a lease in subscriber_checkpoints). See README.md.
 *
 * The DataSource must list {@link subscriptionManagerEntities}; the caller owns it (and the
 * store) and closes them after {@link stop}.
 */
export class SubscriptionManager {
  readonly runnerId: string;
  private readonly runners = new Map<string, SubscriberRunner>();
  private readonly subscribers = new Map<string, EventSubscriber>();
  private readonly dialect: DatabaseDialect;
  private readonly checkpoints: SubscriberCheckpoints;
  private readonly logger: ProjectionLogger;
  private readonly pollIntervalMs: number;
  private readonly waitTimeoutMs: number;
  private readonly retryDelay: { initialMs: number; maxMs: number };

  private initialized: Promise<void> | undefined;
  private live = false;
  private wakeUp: AppendWakeUp | undefined;
  private pollTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    subscribers: readonly EventSubscriber[],
    private readonly options: SubscriptionManagerOptions = {},
  ) {
    this.runnerId = options.runnerId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.dialect = dialectOf(dataSource, { sqliteLockWaitMs: options.sqliteLockWaitMs });
    this.logger = options.logger ?? silentLogger;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.waitTimeoutMs = options.waitTimeoutMs ?? 10_000;
    this.retryDelay = options.retryDelay ?? { initialMs: 200, maxMs: 30_000 };
    const maxAttempts = options.maxAttempts ?? 5;
    const batchSize = options.batchSize ?? 100;
    const leaseMs = options.leaseMs ?? 10_000;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new Error(`maxAttempts must be a positive integer, got ${maxAttempts}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
    if (!(leaseMs > 0)) throw new Error(`leaseMs must be positive, got ${leaseMs}`);
    this.checkpoints = new SubscriberCheckpoints(dataSource, this.dialect);

    for (const subscriber of subscribers) {
      if (this.subscribers.has(subscriber.name)) throw new Error(`Two subscribers are named "${subscriber.name}"`);
      if (subscriber.eventTypes.length === 0) throw new Error(`Subscriber "${subscriber.name}" handles no event type`);
      this.subscribers.set(subscriber.name, subscriber);
      this.runners.set(
        subscriber.name,
        new SubscriberRunner(subscriber, {
          store,
          checkpoints: this.checkpoints,
          owner: this.runnerId,
          leaseMs,
          batchSize,
          policy: { maxAttempts, retryDelay: this.retryDelay },
          logger: this.logger,
          observer: options.observer,
        }),
      );
    }
  }

  /** Creates missing tables (when `synchronizeSchema`) and checkpoint rows. Idempotent. */
  init(): Promise<void> {
    this.initialized ??= this.initialize().catch((error: unknown) => {
      this.initialized = undefined;
      throw error;
    });
    return this.initialized;
  }

  /** Starts live delivery for every subscriber whose lease this process can take. */
  async start(): Promise<void> {
    if (this.live) return;
    await this.init();
    this.live = true;
    for (const runner of this.runners.values()) runner.startLive();
    // The subscription only wakes runners: deliveries always read from the stored checkpoint.
    this.wakeUp = new AppendWakeUp(this.store, { listeners: [...this.runners.values()], retryDelay: this.retryDelay, logger: this.logger });
    await this.wakeUp.start();
    this.schedulePoll();
    this.logger.info('Subscribers started', { subscribers: [...this.runners.keys()], runnerId: this.runnerId });
  }

  /** Stops after the events in hand are handled (no further retry waits) and gives the leases up. */
  async stop(): Promise<void> {
    const wasLive = this.live;
    this.live = false;
    clearTimeout(this.pollTimer);
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    await Promise.all([wakeUp?.stop(), ...[...this.runners.values()].map((runner) => runner.stop())]);
    if (wasLive) this.logger.info('Subscribers stopped');
  }

  /**
   * Resolves when the subscriber (default: all) has handled or parked every event appended
   * before the call, delivering them here when this process can take the lease, else waiting
   * for the runner that holds it. Rejects with SubscriberWaitTimeoutError after `waitTimeoutMs`.
   */
  async catchUp(name?: string): Promise<void> {
    const runners = this.select(name);
    await this.init();
    const head = await this.store.headPosition();
    await Promise.all(runners.map((runner) => runner.catchUp(head, this.waitTimeoutMs)));
  }

  /** Checkpoints, lag, leases and failed-event counts, as stored (other processes' work shows). */
  async status(): Promise<SubscriptionManagerStatus> {
    await this.init();
    const names = [...this.runners.keys()];
    const [headPosition, { rows, databaseNowMs }, failed] = await Promise.all([
      this.store.headPosition(),
      this.checkpoints.read(names),
      this.countFailed(),
    ]);
    const byName = new Map(rows.map((row) => [row.name, row]));
    const subscribers = names.map((name): SubscriberStatus => {
      const row = byName.get(name);
      const leaseActive = row?.owner != null && row.leaseUntil != null && row.leaseUntil > databaseNowMs;
      const position = row?.position ?? 0;
      return {
        name,
        position,
        lag: Math.max(0, headPosition - position),
        eventsHandled: row?.eventsHandled ?? 0,
        eventsParked: row?.eventsFailed ?? 0,
        failedEvents: failed.get(name) ?? 0,
        updatedAt: row?.updatedAt ?? null,
        owner: leaseActive ? row.owner : null,
        leaseUntil: leaseActive ? new Date(row.leaseUntil!) : null,
        ownedHere: leaseActive && row.owner === this.runnerId,
      };
    });
    return { headPosition, live: this.live, runnerId: this.runnerId, subscribers };
  }

  /** Parked events, in log order: by default those still `failed`, of every subscriber. */
  async listFailed(options: ListFailedOptions | string = {}): Promise<FailedEvent[]> {
    await this.init();
    const filter = typeof options === 'string' ? { subscriber: options } : options;
    return listFailedEvents(this.failedEventsContext(), filter);
  }

  /**
   * Delivers failed events once more: those with the given ids, or every failed event of the
   * named subscriber. Success marks a row `resolved`; failure bumps its attempts.
   */
  async retryFailed(selection: readonly number[] | string): Promise<RetryFailedResult> {
    await this.init();
    return retryFailedEvents(this.failedEventsContext(), selection);
  }

  private failedEventsContext(): FailedEventsContext {
    return {
      dataSource: this.dataSource,
      dialect: this.dialect,
      lockTable: quotedTablePath(this.dataSource, SubscriberCheckpointEntity),
      store: this.store,
      subscribers: this.subscribers,
      logger: this.logger,
      observer: this.options.observer,
    };
  }

  private async initialize(): Promise<void> {
    if (!this.dataSource.isInitialized) await this.dataSource.initialize();
    const entities = subscriptionManagerEntities();
    if (entities.some((entity) => !this.dataSource.hasMetadata(entity))) {
      throw new Error('The read-model DataSource does not list the subscriber tables (add subscriptionManagerEntities() to its entities)');
    }
    if (this.options.synchronizeSchema ?? true) await synchronizeEntities(this.dataSource, entities);
    const startsNow = [...this.subscribers.values()].some((subscriber) => subscriber.startAt === 'now');
    const head = startsNow ? await this.store.headPosition() : 0;
    const starts = new Map([...this.subscribers.values()].map((subscriber) => [subscriber.name, subscriber.startAt === 'now' ? head : 0]));
    await this.checkpoints.ensureRows(starts);
  }

  private async countFailed(): Promise<Map<string, number>> {
    const rows: Array<{ subscriber: string; count: string | number }> = await this.dialect.exclusive(() =>
      this.dataSource
        .getRepository(FailedEventEntity)
        .createQueryBuilder('failed')
        .select('failed.subscriber', 'subscriber')
        .addSelect('count(*)', 'count')
        .where('failed.status = :status', { status: 'failed' })
        .groupBy('failed.subscriber')
        .getRawMany(),
    );
    return new Map(rows.map((row) => [row.subscriber, Number(row.count)]));
  }

  private select(name: string | undefined): SubscriberRunner[] {
    if (name === undefined) return [...this.runners.values()];
    const runner = this.runners.get(name);
    if (!runner) throw new UnknownSubscriberError(name);
    return [runner];
  }

  /** Wakes every runner: it delivers what the subscription did not announce, and standby runners try the lease. */
  private schedulePoll(): void {
    if (!this.live) return;
    this.pollTimer = setTimeout(() => {
      for (const runner of this.runners.values()) runner.wake();
      this.schedulePoll();
    }, this.pollIntervalMs);
  }
}
