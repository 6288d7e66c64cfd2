import { ConfigError } from './config-error';
import { DEFAULT_OPERATIONS_OPTIONS, loadOperationsOptions, OPERATIONS_VARIABLES } from './operations-options';

function configErrorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadOperationsOptions(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadOperationsOptions', () => {
  it('applies the documented defaults, blank variables counting as unset', () => {
    expect(loadOperationsOptions({})).toEqual({
      eventStreamHeartbeatMs: 15_000,
      readinessMaxLagEvents: 10_000,
      readinessCaughtUpWithinMs: 30_000,
      readinessTimeoutMs: 2_000,
      shutdownGraceMs: 10_000,
      subscriberMaxAttempts: 5,
      subscriberRetryInitialMs: 200,
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
      deliveryMaxAgeMs: 86_400_000,
      deliveryConcurrency: 32,
      deliveryConcurrencyPerTarget: 4,
      deliveryClaimMs: 30_000,
      live: true,
    });
    expect(loadOperationsOptions(Object.fromEntries(OPERATIONS_VARIABLES.map(({ variable }) => [variable, '  '])))).toEqual(DEFAULT_OPERATIONS_OPTIONS);
  });

  it('reads every variable, trimming blanks', () => {
    const env = {
      EVENT_STREAM_HEARTBEAT_MS: ' 250 ',
      READINESS_MAX_LAG_EVENTS: '0',
      READINESS_CAUGHT_UP_WITHIN_MS: '1000',
      READINESS_TIMEOUT_MS: '300',
      SHUTDOWN_GRACE_MS: '2147483647',
      SUBSCRIBER_MAX_ATTEMPTS: '2',
      SUBSCRIBER_RETRY_INITIAL_MS: '10',
      SUBSCRIBER_LEASE_MS: '1500',
      HTTP_HEADERS_TIMEOUT_MS: '100',
      HTTP_REQUEST_TIMEOUT_MS: '200',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '300',
      GRPC_IDLE_TIMEOUT_MS: '400',
      EVENT_STREAM_MAX_PER_TENANT: '3',
      EVENT_STREAM_MAX_TOTAL: '4',
      RATE_LIMIT_PER_SECOND: '0',
      RATE_LIMIT_BURST: '5',
      READ_WAIT_MS: '4000',
      DELIVERY_MAX_ATTEMPTS: '3',
      DELIVERY_RETRY_INITIAL_MS: '20',
      DELIVERY_MAX_AGE: '90m',
      DELIVERY_CONCURRENCY: '8',
      DELIVERY_CONCURRENCY_PER_TARGET: '2',
      DELIVERY_CLAIM_MS: '5000',
    };
    expect(loadOperationsOptions(env)).toEqual({
      eventStreamHeartbeatMs: 250,
      readinessMaxLagEvents: 0,
      readinessCaughtUpWithinMs: 1000,
      readinessTimeoutMs: 300,
      shutdownGraceMs: 2_147_483_647,
      subscriberMaxAttempts: 2,
      subscriberRetryInitialMs: 10,
      subscriberLeaseMs: 1500,
      httpHeadersTimeoutMs: 100,
      httpRequestTimeoutMs: 200,
      httpKeepAliveTimeoutMs: 300,
      grpcIdleTimeoutMs: 400,
      eventStreamMaxPerTenant: 3,
      eventStreamMaxTotal: 4,
      rateLimitPerSecond: 0,
      rateLimitBurst: 5,
      readWaitMs: 4000,
      deliveryMaxAttempts: 3,
      deliveryRetryInitialMs: 20,
      deliveryMaxAgeMs: 5_400_000,
      deliveryConcurrency: 8,
      deliveryConcurrencyPerTarget: 2,
      deliveryClaimMs: 5000,
      live: true,
    });
  });

  it.each(['24', '1.5h', '-1h', '0s', 'soon'])('refuses DELIVERY_MAX_AGE=%s, naming the variable', (value) => {
    expect(configErrorOf({ DELIVERY_MAX_AGE: value }).message).toMatch(/DELIVERY_MAX_AGE must be a positive duration/);
  });

  it('lets overrides win over the environment', () => {
    expect(loadOperationsOptions({ SHUTDOWN_GRACE_MS: '5' }, { shutdownGraceMs: 7, live: false })).toMatchObject({ shutdownGraceMs: 7, live: false });
  });

  it.each(OPERATIONS_VARIABLES.map(({ variable, min }) => [variable, min]))('refuses bad values of %s naming it and the accepted range', (variable, min) => {
    for (const value of ['abc', '1.5', '-1', '1e3', '0x10', '10ms', String(min - 1), '2147483648']) {
      if (value === String(min - 1) && min === 0) continue;
      const error = configErrorOf({ [variable]: value });
      expect(error.variable).toBe(variable);
      expect(error.message).toBe(`${variable} must be an integer ${min}-2147483647, got "${value}"`);
    }
  });

  it('refuses a headers timeout longer than the request timeout', () => {
    const error = configErrorOf({ HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '10000' });
    expect(error.variable).toBe('HTTP_HEADERS_TIMEOUT_MS');
  });
});
