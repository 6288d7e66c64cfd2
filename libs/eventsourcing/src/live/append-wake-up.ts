import type { EventStore, StoredEvent, Subscription } from '@app/event-store';
import { errorMessage, type ProjectionLogger } from '../projections/logger';
import { backoffDelay } from '../projections/projection-runner';

/** Something that reads the log from its own checkpoint and is woken when there may be more. */
export interface WakeUpListener {
  /** Event types it handles: it is woken only for appends of these. */
  readonly eventTypes: readonly string[];
  wake(): void;
}

export interface AppendWakeUpOptions {
  listeners: readonly WakeUpListener[];
  /** Backoff between failed subscriptions. */
  retryDelay: { initialMs: number; maxMs: number };
  logger: ProjectionLogger;
}

/**
 * Follows the log from its head only to say "something of these types was appended": the
 * projection engine and the subscriber manager always read from their stored checkpoints, so
 * this subscription carries no state and a failed one is simply opened again after a backoff.
 */
export class AppendWakeUp {
  private active = false;
  private subscription: Subscription | undefined;
  private resubscribeTimer: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(
    private readonly store: EventStore,
    private readonly options: AppendWakeUpOptions,
  ) {}

  async start(): Promise<void> {
    if (this.active) return;
    this.active = true;
    await this.subscribe();
  }

  async stop(): Promise<void> {
    this.active = false;
    clearTimeout(this.resubscribeTimer);
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close().catch((error: unknown) => this.options.logger.warn('Closing the subscription failed', { error: errorMessage(error) }));
  }

  private async subscribe(): Promise<void> {
    if (!this.active) return;
    let subscription: Subscription;
    try {
      const fromPosition = (await this.store.headPosition()) + 1;
      const types = [...new Set(this.options.listeners.flatMap((listener) => listener.eventTypes))];
      subscription = this.store.subscribe({ fromPosition, filter: { types } }, (events) => this.onEvents(events));
    } catch (error) {
      this.onFailure(error);
      return;
    }
    if (!this.active) {
      await subscription.close().catch(() => undefined);
      return;
    }
    this.subscription = subscription;
    subscription.done.then(
      () => {
        if (this.active && this.subscription === subscription) this.onFailure(new Error('The subscription ended'));
      },
      (error: unknown) => {
        if (this.active && this.subscription === subscription) this.onFailure(error);
      },
    );
  }

  private onEvents(events: readonly StoredEvent[]): void {
    this.failures = 0;
    const types = new Set(events.map((event) => event.type));
    for (const listener of this.options.listeners) {
      if (listener.eventTypes.some((type) => types.has(type))) listener.wake();
    }
  }

  private onFailure(error: unknown): void {
    this.subscription = undefined;
    if (!this.active) return;
    this.failures += 1;
    const delayMs = backoffDelay(this.failures, this.options.retryDelay);
    this.options.logger.warn('Event subscription failed; resubscribing (polling meanwhile)', { error: errorMessage(error), retryInMs: delayMs });
    this.resubscribeTimer = setTimeout(() => {
      // Listeners catch up from their checkpoints, so what was appended meanwhile is not lost.
      for (const listener of this.options.listeners) listener.wake();
      void this.subscribe();
    }, delayMs);
  }
}
