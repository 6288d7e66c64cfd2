import type { Caller } from './caller';

export interface VerifiedTokenCacheOptions {
  /** Tokens remembered at most; the oldest entry goes first. Default 10,000. */
  maxEntries?: number;
  /**
   * Longest time a verification is reused even when the token lives longer, so a key removed
   * from the key source stops being honoured soon after the key source shows it. Default 60 s.
   */
  maxAgeMs?: number;
  /** Clock in milliseconds; tests replace it. */
  now?: () => number;
}

interface Entry {
  caller: Caller;
  /** Reuse ends here: the token's `exp` or the maximum age, whichever comes first. */
  until: number;
}

export const DEFAULT_VERIFIED_TOKEN_CACHE: Required<Omit<VerifiedTokenCacheOptions, 'now'>> = { maxEntries: 10_000, maxAgeMs: 60_000 };

/**
 * Verified callers by token string. Checking a signature costs far more than the rest of a
 * request's authentication, and clients send the same token again and again, so a token that
 * verified is trusted again until its `exp` (bounded by `maxAgeMs`). Only tokens that passed
 * every check are stored, so garbage cannot fill the cache, and its size is bounded anyway.
 * After `until` the token goes through the full verification again (which applies the clock
 * tolerance and says "expired" once it is).
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(options: VerifiedTokenCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? DEFAULT_VERIFIED_TOKEN_CACHE.maxEntries;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_VERIFIED_TOKEN_CACHE.maxAgeMs;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The caller of a token verified earlier and still within its reuse time. */
  get(token: string): Caller | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (this.now() < entry.until) return entry.caller;
    this.entries.delete(token);
    return undefined;
  }

  /** Remembers a verified token; `expiresAtSeconds` is its `exp` claim. */
  set(token: string, caller: Caller, expiresAtSeconds: number): void {
    if (this.maxEntries <= 0) return;
    const until = Math.min(expiresAtSeconds * 1000, this.now() + this.maxAgeMs);
    if (!(until > this.now())) return;
    this.entries.delete(token);
    this.entries.set(token, { caller, until });
    // Maps iterate in insertion order: the first key is the oldest entry.
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }
}
