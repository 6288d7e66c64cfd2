import { ConfigError } from './config-error';
import { MAX_TIMER_MS, parseInteger, readVariable } from './env-values';

/**
 * Tuning of the operational parts of the service (event stream, readiness, subscribers,
 * shutdown) and its limits on shared resources (HTTP timeouts, event streams, request
 * rates). Defaults suit production;
 * tests shorten the timings. Read from the environment by {@link loadOperationsOptions}, so
 * operators can change them without a rebuild.
 */
export interface OperationsOptions {
  /** Comment lines sent on idle event streams so proxies keep them open. Default 15 s. */
  eventStreamHeartbeatMs: number;
  /** Events a projection may trail the log by and still count as ready (0: none). Default 10,000. */
  readinessMaxLagEvents: number;
  /** A projection seen caught up this recently counts as ready whatever its lag. Default 30 s. */
  readinessCaughtUpWithinMs: number;
  /** Longest wait for one readiness check (store ping, SELECT 1). Default 2 s. */
  readinessTimeoutMs: number;
  /** How long shutdown waits for requests in flight before cutting connections. Default 10 s. */
  shutdownGraceMs: number;
  /** Subscriber deliveries of one event before it is parked in failed_events. Default 5. */
  subscriberMaxAttempts: number;
  /** First backoff between subscriber attempts (doubling up to 30 s). Default 200 ms. */
  subscriberRetryInitialMs: number;
  /** How soon another replica takes over the subscribers of a crashed one. Default 10 s. */
  subscriberLeaseMs: number;
  /** Longest time a client may take to send a request's headers. Default 5 s. */
  httpHeadersTimeoutMs: number;
  /** Longest time a client may take to send a whole request (headers and body). Default 10 s. */
  httpRequestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open after its last answer. Default 5 s. */
  httpKeepAliveTimeoutMs: number;
  /** How long an HTTP/2 session on the gRPC port may stay without a frame before it is closed. Default 60 s. */
  grpcIdleTimeoutMs: number;
  /** Event streams (`GET /v3alpha/events`) one instance may hold open at once on a replica. Default 20. */
  eventStreamMaxPerTenant: number;
  /** Event streams open at once on a replica, all instances together. Default 500. */
  eventStreamMaxTotal: number;
  /** Requests per second one instance may make on a replica on average (0: no limit). Default 500. */
  rateLimitPerSecond: number;
  /** Requests one instance may make at once above that average. Default 1,000. */
  rateLimitBurst: number;
  /**
   * Longest a read waits for the read model to reach the caller's writes (its own replica's, or
   * a consistency token's) before answering 503 code 14. Default 10 s.
   */
  readWaitMs: number;
  /** Attempts of one event delivery before it is parked (DELIVERY_MAX_ATTEMPTS). Default 5. */
  deliveryMaxAttempts: number;
  /** First backoff between delivery attempts, doubling up to 5 minutes (DELIVERY_RETRY_INITIAL_MS). Default 1 s. */
  deliveryRetryInitialMs: number;
  /** Pending deliveries of events stored longer ago are dropped (DELIVERY_MAX_AGE, a duration such as `24h`). Default 24 h. */
  deliveryMaxAgeMs: number;
  /** Deliveries in flight at once on a replica (DELIVERY_CONCURRENCY). Default 32. */
  deliveryConcurrency: number;
  /** Deliveries in flight at once to one target on a replica (DELIVERY_CONCURRENCY_PER_TARGET). Default 4. */
  deliveryConcurrencyPerTarget: number;
  /** How soon another replica takes over the deliveries a crashed one had claimed (DELIVERY_CLAIM_MS). Default 30 s. */
  deliveryClaimMs: number;
  /**
   * Run projections and subscribers live (the service). False for command-line tools, which
   * use the application's wiring without competing for work.
   */
  live: boolean;
}

export const DEFAULT_OPERATIONS_OPTIONS: Readonly<OperationsOptions> = {
  eventStreamHeartbeatMs: 15_000,
  readinessMaxLagEvents: 10_000,
  readinessCaughtUpWithinMs: 30_000,
  readinessTimeoutMs: 2_000,
  shutdownGraceMs: 10_000,
  subscriberMaxAttempts: 5,
  subscriberRetryInitialMs: 200,
  // Renewed every third (3.3 s): only a replica that fails two renewals in a row (6.7 s without a database write) loses it.
  subscriberLeaseMs: 10_000,
  httpHeadersTimeoutMs: 5_000,
  httpRequestTimeoutMs: 10_000,
  httpKeepAliveTimeoutMs: 5_000,
  grpcIdleTimeoutMs: 60_000,
  eventStreamMaxPerTenant: 20,
  eventStreamMaxTotal: 500,
  rateLimitPerSecond: 500,
  rateLimitBurst: 1_000,
  readWaitMs: 10_000,
  deliveryMaxAttempts: 5,
  deliveryRetryInitialMs: 1_000,
  deliveryMaxAgeMs: 24 * 3_600_000,
  deliveryConcurrency: 32,
  deliveryConcurrencyPerTarget: 4,
  deliveryClaimMs: 30_000,
  live: true,
};

type NumericOption = Exclude<keyof OperationsOptions, 'live' | 'deliveryMaxAgeMs'>;

/** Each numeric option, its variable and its least value. All are capped at what a timer accepts. */
export const OPERATIONS_VARIABLES: ReadonlyArray<{ option: NumericOption; variable: string; min: number }> = [
  { option: 'eventStreamHeartbeatMs', variable: 'EVENT_STREAM_HEARTBEAT_MS', min: 1 },
  { option: 'readinessMaxLagEvents', variable: 'READINESS_MAX_LAG_EVENTS', min: 0 },
  { option: 'readinessCaughtUpWithinMs', variable: 'READINESS_CAUGHT_UP_WITHIN_MS', min: 1 },
  { option: 'readinessTimeoutMs', variable: 'READINESS_TIMEOUT_MS', min: 1 },
  { option: 'shutdownGraceMs', variable: 'SHUTDOWN_GRACE_MS', min: 1 },
  { option: 'subscriberMaxAttempts', variable: 'SUBSCRIBER_MAX_ATTEMPTS', min: 1 },
  { option: 'subscriberRetryInitialMs', variable: 'SUBSCRIBER_RETRY_INITIAL_MS', min: 1 },
  // At least 1 s: renewed every third of it, a shorter lease would be lost to one slow database round trip.
  { option: 'subscriberLeaseMs', variable: 'SUBSCRIBER_LEASE_MS', min: 1000 },
  { option: 'httpHeadersTimeoutMs', variable: 'HTTP_HEADERS_TIMEOUT_MS', min: 1 },
  { option: 'httpRequestTimeoutMs', variable: 'HTTP_REQUEST_TIMEOUT_MS', min: 1 },
  { option: 'httpKeepAliveTimeoutMs', variable: 'HTTP_KEEP_ALIVE_TIMEOUT_MS', min: 1 },
  { option: 'grpcIdleTimeoutMs', variable: 'GRPC_IDLE_TIMEOUT_MS', min: 1 },
  { option: 'eventStreamMaxPerTenant', variable: 'EVENT_STREAM_MAX_PER_TENANT', min: 1 },
  { option: 'eventStreamMaxTotal', variable: 'EVENT_STREAM_MAX_TOTAL', min: 1 },
  { option: 'rateLimitPerSecond', variable: 'RATE_LIMIT_PER_SECOND', min: 0 },
  { option: 'rateLimitBurst', variable: 'RATE_LIMIT_BURST', min: 1 },
  { option: 'readWaitMs', variable: 'READ_WAIT_MS', min: 1 },
  { option: 'deliveryMaxAttempts', variable: 'DELIVERY_MAX_ATTEMPTS', min: 1 },
  { option: 'deliveryRetryInitialMs', variable: 'DELIVERY_RETRY_INITIAL_MS', min: 1 },
  { option: 'deliveryConcurrency', variable: 'DELIVERY_CONCURRENCY', min: 1 },
  { option: 'deliveryConcurrencyPerTarget', variable: 'DELIVERY_CONCURRENCY_PER_TARGET', min: 1 },
  { option: 'deliveryClaimMs', variable: 'DELIVERY_CLAIM_MS', min: 100 },
];

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as `90s`, `30m`, `24h` or `7d` (a whole number and a unit), in milliseconds. */
export function parseDuration(name: string, value: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(value);
  const ms = match ? Number(match[1]) * DURATION_UNITS_MS[match[2]!]! : NaN;
  if (!Number.isSafeInteger(ms) || ms < 1) {
    throw new ConfigError(name, `${name} must be a positive duration such as 90s, 30m, 24h or 7d, got "${value}"`);
  }
  return ms;
}

/**
 * Reads the operations settings from the environment with the rules of {@link loadConfig}:
 * blank counts as unset, a bad value throws a ConfigError naming the variable and the accepted
 * range. `overrides` (tests, command-line tools) win over the environment.
 */
export function loadOperationsOptions(env: NodeJS.ProcessEnv, overrides: Partial<OperationsOptions> = {}): OperationsOptions {
  const options: OperationsOptions = { ...DEFAULT_OPERATIONS_OPTIONS };
  for (const { option, variable, min } of OPERATIONS_VARIABLES) {
    const value = readVariable(env, variable);
    if (value !== undefined) options[option] = parseInteger(variable, value, min, MAX_TIMER_MS);
  }
  const maxAge = readVariable(env, 'DELIVERY_MAX_AGE');
  if (maxAge !== undefined) options.deliveryMaxAgeMs = parseDuration('DELIVERY_MAX_AGE', maxAge);
  const result = { ...options, ...overrides };
  // The headers are part of the request: a longer headers timeout would be a promise not kept.
  if (result.httpHeadersTimeoutMs > result.httpRequestTimeoutMs) {
    throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS', `HTTP_HEADERS_TIMEOUT_MS (${result.httpHeadersTimeoutMs}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${result.httpRequestTimeoutMs})`);
  }
  return result;
}
