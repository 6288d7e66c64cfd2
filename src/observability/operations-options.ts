import { ConfigError } from '../config/config-error';

/**
 * Tuning of the operational parts of the service (event stream, readiness, subscribers,
 * shutdown). Defaults suit production; tests shorten the timings. Read from the environment
 * by {@link loadOperationsOptions}, so operators can change them without a rebuild.
 */
export interface OperationsOptions {
  /** Comment lines sent on idle event streams so proxies keep them open. Default 15 s. */
  eventStreamHeartbeatMs: number;
  /** Events a projection may trail the log by and still count as ready. Default 10,000. */
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
  /** How soon another replica takes over the subscribers of a crashed one. Default 30 s. */
  subscriberLeaseMs: number;
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
  subscriberLeaseMs: 30_000,
  live: true,
};

const VARIABLES: ReadonlyArray<[keyof OperationsOptions, string]> = [
  ['eventStreamHeartbeatMs', 'EVENT_STREAM_HEARTBEAT_MS'],
  ['readinessMaxLagEvents', 'READINESS_MAX_LAG_EVENTS'],
  ['readinessCaughtUpWithinMs', 'READINESS_CAUGHT_UP_WITHIN_MS'],
  ['readinessTimeoutMs', 'READINESS_TIMEOUT_MS'],
  ['shutdownGraceMs', 'SHUTDOWN_GRACE_MS'],
  ['subscriberMaxAttempts', 'SUBSCRIBER_MAX_ATTEMPTS'],
  ['subscriberRetryInitialMs', 'SUBSCRIBER_RETRY_INITIAL_MS'],
  ['subscriberLeaseMs', 'SUBSCRIBER_LEASE_MS'],
];

/** Reads the options from the environment; a variable that is not a positive integer is refused by name. */
export function loadOperationsOptions(env: NodeJS.ProcessEnv, overrides: Partial<OperationsOptions> = {}): OperationsOptions {
  const options: OperationsOptions = { ...DEFAULT_OPERATIONS_OPTIONS };
  for (const [key, variable] of VARIABLES) {
    const raw = env[variable]?.trim();
    if (raw === undefined || raw === '') continue;
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value) || value < 1) throw new ConfigError(variable, `${variable} must be a positive integer, got "${raw}"`);
    Object.assign(options, { [key]: value });
  }
  return { ...options, ...overrides };
}

/** Nest injection token of {@link OperationsOptions}. */
export const OPERATIONS_OPTIONS = Symbol('OPERATIONS_OPTIONS');
