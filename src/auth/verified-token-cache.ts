import type { Caller } from './caller';

export interface VerifiedTokenCacheOptions {
  /** Tokens remembered at most; the oldest entry goes first. Default 10,000. */
  maxEntries?: number;
  /**
   * Memory the entries may take at most (estimated: the token, the caller's strings and a fixed
   * overhead per entry); the oldest entries go first. Default 16 MiB. Tokens are chosen by the
   * client, so a count alone would let a few huge ones take any amount of memory.
   */
  maxBytes?: number;
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
  bytes: number;
}

export const DEFAULT_VERIFIED_TOKEN_CACHE: Required<Omit<VerifiedTokenCacheOptions, 'now'>> = { maxEntries: 10_000, maxBytes: 16 * 1024 * 1024, maxAgeMs: 60_000 };

/** Map entry, object headers and the permission set's table, roughly, per entry. */
const ENTRY_OVERHEAD_BYTES = 256;

/** Estimated memory of one entry: strings are counted at two bytes a character (V8's worst case). */
export function entryBytes(token: string, caller: Caller): number {
  let characters = token.length + caller.instanceId.length + caller.subject.length;
  for (const permission of caller.permissions) characters += permission.length;
  return ENTRY_OVERHEAD_BYTES + 2 * characters;
}

/**
 * Verified callers by token string. Checking a signature costs far more than the rest of a
 * request's authentication, and clients send the same token again and again, so a token that
 * verified is trusted again until its `exp` (bounded by `maxAgeMs`). Only tokens that passed
 * every check are stored, so garbage cannot fill the cache, and its size is bounded anyway, in
 * entries and in bytes. Entries past their time are dropped when asked for and by a sweep at
 * most once per `maxAgeMs`, so tokens used once do not stay until pushed out. After `until` the
 * token goes through the full verification again (which applies the clock tolerance and says
 * "expired" once it is).
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private totalBytes = 0;
  private lastSweep: number;

  constructor(options: VerifiedTokenCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? DEFAULT_VERIFIED_TOKEN_CACHE.maxEntries;
    this.maxBytes = options.maxBytes ?? DEFAULT_VERIFIED_TOKEN_CACHE.maxBytes;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_VERIFIED_TOKEN_CACHE.maxAgeMs;
    this.now = options.now ?? Date.now;
    this.lastSweep = this.now();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Estimated memory the entries take. */
  get bytes(): number {
    return this.totalBytes;
  }

  /** The caller of a token verified earlier and still within its reuse time. */
  get(token: string): Caller | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (this.now() < entry.until) return entry.caller;
    this.delete(token, entry);
    return undefined;
  }

  /** Remembers a verified token; `expiresAtSeconds` is its `exp` claim. */
  set(token: string, caller: Caller, expiresAtSeconds: number): void {
    if (this.maxEntries <= 0) return;
    const now = this.now();
    if (now - this.lastSweep >= this.maxAgeMs) this.sweep(now);
    const until = Math.min(expiresAtSeconds * 1000, now + this.maxAgeMs);
    if (!(until > now)) return;
    const bytes = entryBytes(token, caller);
    if (bytes > this.maxBytes) return;
    const previous = this.entries.get(token);
    if (previous !== undefined) this.delete(token, previous);
    this.entries.set(token, { caller, until, bytes });
    this.totalBytes += bytes;
    // Maps iterate in insertion order: the first key is the oldest entry.
    while (this.entries.size > this.maxEntries || this.totalBytes > this.maxBytes) {
      const oldest = this.entries.keys().next().value as string;
      this.delete(oldest, this.entries.get(oldest) as Entry);
    }
  }

  /** Drops every entry past its time. */
  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [token, entry] of this.entries) if (now >= entry.until) this.delete(token, entry);
  }

  private delete(token: string, entry: Entry): void {
    this.entries.delete(token);
    this.totalBytes -= entry.bytes;
  }
}
