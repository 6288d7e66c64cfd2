import { RATE_LIMITED_ERROR_ID, RateLimitedError, TenantRateLimiter } from './tenant-rate-limiter';

function refusal(action: () => void): RateLimitedError {
  try {
    action();
  } catch (error) {
    if (error instanceof RateLimitedError) return error;
    throw error;
  }
  throw new Error('expected the request to be refused');
}

describe('TenantRateLimiter', () => {
  it('lets an instance make its burst at once, then refuses with code 8 and a Retry-After', () => {
    const limiter = new TenantRateLimiter({ perSecond: 2, burst: 3, now: () => 0 });
    for (let request = 0; request < 3; request += 1) limiter.take('a');
    const error = refusal(() => limiter.take('a'));
    expect([error.code, error.id, error.retryAfterSeconds]).toEqual([8, RATE_LIMITED_ERROR_ID, 1]);
  });

  it('refills at the configured rate', () => {
    let now = 0;
    const limiter = new TenantRateLimiter({ perSecond: 10, burst: 1, now: () => now });
    limiter.take('a');
    expect(() => limiter.take('a')).toThrow(RateLimitedError);
    now += 100;
    limiter.take('a');
    expect(() => limiter.take('a')).toThrow(RateLimitedError);
  });

  it('keeps instances apart: one spending its bucket leaves the others theirs', () => {
    const limiter = new TenantRateLimiter({ perSecond: 1, burst: 2, now: () => 0 });
    limiter.take('noisy');
    limiter.take('noisy');
    expect(() => limiter.take('noisy')).toThrow(RateLimitedError);
    expect(() => limiter.take('quiet')).not.toThrow();
  });

  it('limits nothing at a rate of 0', () => {
    const limiter = new TenantRateLimiter({ perSecond: 0, burst: 1, now: () => 0 });
    for (let request = 0; request < 100; request += 1) limiter.take('a');
  });

  it('forgets idle instances once many have come and gone', () => {
    let now = 0;
    const limiter = new TenantRateLimiter({ perSecond: 100, burst: 10, now: () => now });
    for (let tenant = 0; tenant < 10_000; tenant += 1) limiter.take(`t${tenant}`);
    now += 1_000;
    limiter.take('newcomer');
    expect(limiter.size).toBe(1);
  });
});
