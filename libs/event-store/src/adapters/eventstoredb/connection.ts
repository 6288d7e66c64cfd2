import { EventStoreUnavailableError } from '../../errors';
import type { EsdbClient, EsdbClientFactory } from './esdb-client';
import { translateError, type ErrorContext } from './translate-error';
import { withTimeout } from './with-timeout';

export interface ConnectionTimeouts {
  /** Limit for calls until the current connection has answered once. */
  connectMs: number;
  /** Limit for every call on a connection that has answered before. */
  callMs: number;
}

interface Slot {
  client: EsdbClient;
  /** True once a call on this client succeeded: the server is there and answers. */
  proven: boolean;
}

/**
 * Owns the EventStoreDB client and runs every call under our own time limit, translating the
 * client's errors. A call that finds the server unavailable (or too slow) retires the client
 * and the next call builds a fresh one, because a client that failed early is not reliable
 * afterwards: it keeps a silent connection open for minutes, and it caches a failed lookup of
 * the server's features, after which every append on it fails.
 */
export class EsdbConnection {
  private slot: Slot | undefined;
  private closed = false;

  constructor(
    private readonly connectionString: string,
    private readonly createClient: EsdbClientFactory,
    readonly timeouts: ConnectionTimeouts,
  ) {}

  /** Builds the client now, so an unusable connection string fails at start-up rather than on first use. */
  open(): void {
    this.acquire();
  }

  /** Limit that applies to the next call (connect limit until the connection has answered). */
  get currentLimitMs(): number {
    return this.slot?.proven ? this.timeouts.callMs : this.timeouts.connectMs;
  }

  /**
   * Runs `work` on the client. It must finish within the limit; otherwise `signal` aborts,
   * the client is retired and the call fails with EventStoreUnavailableError.
   */
  async run<T>(context: ErrorContext, work: (client: EsdbClient, signal: AbortSignal) => Promise<T>): Promise<T> {
    const slot = this.acquire();
    const limitMs = slot.proven ? this.timeouts.callMs : this.timeouts.connectMs;
    const controller = new AbortController();
    try {
      const result = await withTimeout(
        Promise.resolve().then(() => work(slot.client, controller.signal)),
        limitMs,
        () => new EventStoreUnavailableError(`EventStoreDB did not answer ${context.operation} within ${limitMs} ms`),
        () => controller.abort(),
      );
      slot.proven = true;
      return result;
    } catch (error) {
      const translated = translateError(error, context);
      if (translated instanceof EventStoreUnavailableError) this.retire(slot);
      throw translated;
    }
  }

  /** The current client, for long-running calls (subscriptions) that manage their own limits. */
  client(): EsdbClient {
    return this.acquire().client;
  }

  /** Marks the client's connection as working (a subscription was confirmed on it). */
  markAnswered(client: EsdbClient): void {
    if (this.slot?.client === client) this.slot.proven = true;
  }

  /** Retires this client if it is still the current one. */
  retireClient(client: EsdbClient): void {
    if (this.slot?.client === client) this.retire(this.slot);
  }

  async close(): Promise<void> {
    this.closed = true;
    const slot = this.slot;
    this.slot = undefined;
    await slot?.client.close().catch(() => undefined);
  }

  private acquire(): Slot {
    if (this.closed) throw new EventStoreUnavailableError('The EventStoreDB event store is closed');
    this.slot ??= { client: this.createClient(this.connectionString), proven: false };
    return this.slot;
  }

  private retire(slot: Slot): void {
    if (this.slot === slot) this.slot = undefined;
    void slot.client.close().catch(() => undefined);
  }
}
