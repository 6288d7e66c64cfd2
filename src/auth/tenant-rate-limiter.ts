import { ApiError, StatusCode } from '../common/errors/api-error';

export const RATE_LIMITED_ERROR_ID = 'RATE-5k2qv8xw1n';

/** 429 code 8: the instance made more requests than its rate allows; `retryAfterSeconds` says when to try again. */
export class RateLimitedError extends ApiError {
  constructor(readonly retryAfterSeconds: number) {
    super(StatusCode.ResourceExhausted, RATE_LIMITED_ERROR_ID, `Too many requests for this instance, retry after ${retryAfterSeconds} s`);
  }
}

export interface TenantRateLimiterOptions {
  /** Requests per second an instance may make on average; 0 turns the limit off. */
  perSecond: number;
  /** Requests an instance may make at once above the average (the bucket's size). */
  burst: number;
  /** Clock in milliseconds; tests replace it. */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Buckets kept before full ones (idle instances) are dropped; a full bucket is the same as none. */
const SWEEP_AT_BUCKETS = 10_000;

/**
 * A token bucket per instance, shared by every transport (the HTTP guard and the gRPC
 * authentication), so one instance cannot take the replica's capacity from the others. Limits
 * are per replica.
 */
export class TenantRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;

  constructor(private readonly options: TenantRateLimiterOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Counts one request of `tenant`, or throws {@link RateLimitedError} when its bucket is empty. */
  take(tenant: string): void {
    const { perSecond, burst } = this.options;
    if (perSecond <= 0) return;
    const now = this.now();
    const bucket = this.buckets.get(tenant) ?? { tokens: burst, updatedAt: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * perSecond);
    bucket.updatedAt = now;
    if (bucket.tokens < 1) {
      this.buckets.set(tenant, bucket);
      throw new RateLimitedError(Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond)));
    }
    bucket.tokens -= 1;
    if (!this.buckets.has(tenant) && this.buckets.size >= SWEEP_AT_BUCKETS) this.sweep(now);
    this.buckets.set(tenant, bucket);
  }

  /** Instances with a bucket right now (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    const { perSecond, burst } = this.options;
    for (const [tenant, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.updatedAt) / 1000) * perSecond >= burst) this.buckets.delete(tenant);
    }
  }
}
