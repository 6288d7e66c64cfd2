import type {
  AppendOptions,
  AppendResult,
  EventStore,
  EventToAppend,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  StoredEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
} from '@app/event-store';

/**
 * Remembers the global position of the newest append made through this process, so reads of
 * the read model can wait for it: a store's head may trail a write that has already returned
 * (PostgreSQL holds its read horizon behind any older open transaction), and read-your-writes
 * must not depend on that.
 */
export class AppendTrackingEventStore implements EventStore {
  private newestAppend = 0;

  constructor(private readonly inner: EventStore) {}

  get kind(): string {
    return this.inner.kind;
  }

  /** Position of the newest event appended through this process (0 before any). */
  get lastAppendPosition(): number {
    return this.newestAppend;
  }

  async append(stream: string, events: readonly EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    const result = await this.inner.append(stream, events, options);
    this.newestAppend = Math.max(this.newestAppend, result.position);
    return result;
  }

  init(): Promise<void> {
    return this.inner.init();
  }
  readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return this.inner.readStream(stream, options);
  }
  readAll(options?: ReadAllOptions): Promise<ReadAllResult> {
    return this.inner.readAll(options);
  }
  headPosition(): Promise<number> {
    return this.inner.headPosition();
  }
  subscribe(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    return this.inner.subscribe(options, handler);
  }
  ping(): Promise<void> {
    return this.inner.ping();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
