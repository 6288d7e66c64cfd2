import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every series name starts with this, the process metrics of prom-client included, and names
 * its unit (`_seconds`, `_bytes`, `_total` for counters, or what it counts: `_events`, `_positions`).
 */
export const METRIC_PREFIX = 'actions_';

/** Gauges collected within this window share one status read. */
const SCRAPE_WINDOW_MS = 250;

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A projection or subscriber position as the gauges show it. */
export interface PositionSample {
  name: string;
  position: number;
  /** Events stored after the checkpoint (counted up to 100,000; PostgreSQL positions are sparse, so never a position difference). */
  lag: number;
}

export interface SubscriberSample extends PositionSample {
  /** Parked events still `failed`. */
  failedEvents: number;
}

/** The deliveries table's counts as the gauges show them. */
export interface DeliverySample {
  pending: number;
  parked: number;
  oldestPendingAgeMs: number;
  /** Events stored after the recorder's checkpoint (counted up to 100,000): events not yet turned into deliveries. */
  recorderLag: number;
}

/** Reads positions when /metrics is scraped (the stored checkpoints, so every replica's work shows). */
export type SampleSource<T> = () => Promise<T[]>;

/**
 * Every Prometheus series the service exports, in a registry of its own (not prom-client's
 * global one) so that several applications in one process, as in the tests, never collide.
 */
export class ServiceMetrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'actions_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'actions_http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to finishing its response',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly commands = new Counter({
    name: 'actions_commands_total',
    help: 'Commands executed, by command type and outcome (ok, or the error kind)',
    labelNames: ['command', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly commandDuration = new Histogram({
    name: 'actions_command_duration_seconds',
    help: 'Time to execute a command, by command type and outcome',
    labelNames: ['command', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly appends = new Counter({
    name: 'actions_event_store_appends_total',
    help: 'Appends to the event store, by outcome (ok, conflict, unavailable, error)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly appendedEvents = new Counter({
    name: 'actions_event_store_appended_events_total',
    help: 'Events stored by successful appends',
    registers: [this.registry],
  });
  readonly appendDuration = new Histogram({
    name: 'actions_event_store_append_duration_seconds',
    help: 'Time of one append to the event store',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly projectionEvents = new Counter({
    name: 'actions_projection_events_total',
    help: 'Events reduced into the read model, by projection',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });
  readonly projectionBatchDuration = new Histogram({
    name: 'actions_projection_batch_duration_seconds',
    help: 'Time of one committed projection batch, by projection',
    labelNames: ['projection'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly projectionFailures = new Counter({
    name: 'actions_projection_failures_total',
    help: 'Projection batches that failed and were rolled back, by projection',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly subscriberDeliveries = new Counter({
    name: 'actions_subscriber_deliveries_total',
    help: 'Events handled by subscribers, by subscriber',
    labelNames: ['subscriber'] as const,
    registers: [this.registry],
  });
  readonly subscriberFailures = new Counter({
    name: 'actions_subscriber_failures_total',
    help: 'Failed deliveries to subscribers (each attempt), by subscriber',
    labelNames: ['subscriber'] as const,
    registers: [this.registry],
  });
  readonly subscriberParked = new Counter({
    name: 'actions_subscriber_parked_events_total',
    help: 'Events a subscriber gave up on and recorded in failed_events, by subscriber',
    labelNames: ['subscriber'] as const,
    registers: [this.registry],
  });

  readonly deliveries = new Counter({
    name: 'actions_event_deliveries_total',
    help: 'Event delivery attempts that ended, by outcome (delivered, retried, parked, dropped)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly droppedDeliveries = new Counter({
    name: 'actions_dropped_deliveries_total',
    help: 'Event deliveries dropped: older than DELIVERY_MAX_AGE, or their target removed',
    registers: [this.registry],
  });
  readonly deliveryAge = new Histogram({
    name: 'actions_delivery_age_seconds',
    help: 'Time from storing an event to its delivery answered 2xx',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600],
    registers: [this.registry],
  });

  readonly targetCalls = new Counter({
    name: 'actions_target_calls_total',
    help: 'Calls to targets (runs and event deliveries), by target type and outcome (ok, failed, forwarded)',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly targetCallDuration = new Histogram({
    name: 'actions_target_call_duration_seconds',
    help: 'Time of one call to a target, from sending to its answer read (or its failure), by target type and outcome',
    labelNames: ['type', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private projectionSource: SampleSource<PositionSample> | undefined;
  private deliverySource: (() => Promise<DeliverySample>) | undefined;
  private subscriberSource: SampleSource<SubscriberSample> | undefined;
  /** One status read per scrape serves all the gauges fed by it. */
  private readonly recentReads = new Map<string, { at: number; samples: Promise<unknown[]> }>();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
    const projections = (): Promise<PositionSample[]> => this.readSamples('projections', this.projectionSource);
    const subscribers = (): Promise<SubscriberSample[]> => this.readSamples('subscribers', this.subscriberSource);
    this.sampledGauge('actions_projection_position', 'Global log position up to which the projection has reduced events', 'projection', projections, (s) => s.position);
    this.sampledGauge('actions_projection_lag_events', 'Events stored after the projection position (0 when caught up; counted up to 100,000)', 'projection', projections, (s) => s.lag);
    this.sampledGauge('actions_subscriber_position', 'Global log position up to which the subscriber has handled (or parked) events', 'subscriber', subscribers, (s) => s.position);
    this.sampledGauge('actions_subscriber_lag_events', 'Events stored after the subscriber position (0 when caught up; counted up to 100,000)', 'subscriber', subscribers, (s) => s.lag);
    this.sampledGauge(
      'actions_subscriber_failed_events',
      'Parked events still waiting in failed_events (not resolved by a retry), by subscriber',
      'subscriber',
      subscribers,
      (s) => s.failedEvents,
    );
    this.deliveryGauges();
  }

  /** Where the delivery gauges read from; until set they stay empty. */
  readDeliveriesFrom(source: () => Promise<DeliverySample>): void {
    this.deliverySource = source;
  }

  /** Where the projection gauges read from; until set they stay empty. */
  readProjectionsFrom(source: SampleSource<PositionSample>): void {
    this.projectionSource = source;
  }

  /** Where the subscriber gauges read from; until set they stay empty. */
  readSubscribersFrom(source: SampleSource<SubscriberSample>): void {
    this.subscriberSource = source;
  }

  /** Gauges of the deliveries table, read at scrape time (every replica's work shows). */
  private deliveryGauges(): void {
    const read = (): Promise<DeliverySample[]> => this.readSamples('deliveries', this.deliverySource && (async () => [await this.deliverySource!()]));
    const gauge = (name: string, help: string, value: (sample: DeliverySample) => number): void => {
      new Gauge({
        name,
        help,
        registers: [this.registry],
        async collect() {
          const [sample] = await read();
          this.reset();
          if (sample) this.set(value(sample));
        },
      });
    };
    gauge('actions_pending_deliveries', 'Event deliveries waiting to be sent or retried, in flight included', (s) => s.pending);
    gauge('actions_parked_deliveries', 'Event deliveries parked after their last attempt, waiting for a retry', (s) => s.parked);
    gauge('actions_delivery_recorder_lag_events', 'Events stored after the delivery recorder checkpoint, not yet turned into deliveries (counted up to 100,000)', (s) => s.recorderLag);
    gauge('actions_oldest_pending_delivery_age_seconds', 'Age of the oldest pending event delivery (0 when none)', (s) => s.oldestPendingAgeMs / 1000);
  }

  /** A gauge set at each scrape from `read`, one series per sampled name. */
  private sampledGauge<T extends PositionSample>(name: string, help: string, label: string, read: () => Promise<T[]>, value: (sample: T) => number): void {
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [this.registry],
      async collect() {
        const samples = await read();
        this.reset();
        for (const sample of samples) this.set({ [label]: sample.name }, value(sample));
      },
    });
  }

  /** A store that cannot be read must not fail the whole scrape: its gauges are left out. */
  private readSamples<T>(key: string, source: SampleSource<T> | undefined): Promise<T[]> {
    if (!source) return Promise.resolve([]);
    const recent = this.recentReads.get(key);
    if (recent && performance.now() - recent.at < SCRAPE_WINDOW_MS) return recent.samples as Promise<T[]>;
    const samples = source().catch((): T[] => []);
    this.recentReads.set(key, { at: performance.now(), samples });
    return samples;
  }
}
