import {
  EventStoreUnavailableError,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ReadAllOptions,
  type ReadAllResult,
  type ReadStreamOptions,
  type StoredEvent,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandler,
} from '@app/event-store';

/**
 * An event store that could not be opened at start (its server was unreachable): every call
 * tries to open it again (at most once per `retryEveryMs`) and fails with
 * EventStoreUnavailableError (503 code 14) until it opens; from then on calls go to it.
 */
export class DeferredEventStore implements EventStore {
  private store: EventStore | undefined;
  private opening: Promise<EventStore> | undefined;
  private lastAttemptAt = 0;
  private lastError: unknown;
  private closed = false;

  constructor(
    readonly kind: string,
    private readonly open: () => Promise<EventStore>,
    initialError: unknown,
    private readonly retryEveryMs = 1000,
  ) {
    this.lastError = initialError;
    this.lastAttemptAt = Date.now();
  }

  init(): Promise<void> {
    return this.opened().then(() => undefined);
  }
  async append(stream: string, events: readonly EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    return (await this.opened()).append(stream, events, options);
  }
  async readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return (await this.opened()).readStream(stream, options);
  }
  async readAll(options?: ReadAllOptions): Promise<ReadAllResult> {
    return (await this.opened()).readAll(options);
  }
  async headPosition(): Promise<number> {
    return (await this.opened()).headPosition();
  }
  async ping(): Promise<void> {
    return (await this.opened()).ping();
  }

  /** Before the store opens, a subscription fails at once; its owner resubscribes with backoff. */
  subscribe(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    if (this.store) return this.store.subscribe(options, handler);
    void this.opened().catch(() => undefined);
    const done = Promise.reject(this.unavailable());
    done.catch(() => undefined);
    return { position: options.fromPosition ?? 0, done, close: async () => undefined };
  }

  async close(): Promise<void> {
    this.closed = true;
    const store = this.store ?? (await this.opening?.catch(() => undefined));
    await store?.close();
  }

  private opened(): Promise<EventStore> {
    if (this.store) return Promise.resolve(this.store);
    if (this.closed) return Promise.reject(new EventStoreUnavailableError('The event store is closed'));
    if (this.opening) return this.opening;
    if (Date.now() - this.lastAttemptAt < this.retryEveryMs) return Promise.reject(this.unavailable());
    this.lastAttemptAt = Date.now();
    this.opening = this.open().then(
      (store) => {
        this.opening = undefined;
        if (this.closed) {
          void store.close();
          throw new EventStoreUnavailableError('The event store is closed');
        }
        this.store = store;
        return store;
      },
      (error: unknown) => {
        this.opening = undefined;
        this.lastError = error;
        throw this.unavailable();
      },
    );
    return this.opening;
  }

  private unavailable(): EventStoreUnavailableError {
    return new EventStoreUnavailableError(`The ${this.kind} event store could not be opened yet`, { cause: this.lastError });
  }
}
