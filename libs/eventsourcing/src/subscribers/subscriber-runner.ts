import type { EventStore } from '@app/event-store';
import { errorMessage, type ProjectionLogger } from '../projections/logger';
import { notifyObserver } from '../projections/observer';
import { backoffDelay } from '../projections/projection-runner';
import { deliver, type DeliveryPolicy } from './delivery';
import { LeaseLostError, SubscriberWaitTimeoutError } from './errors';
import type { EventSubscriber } from './event-subscriber';
import type { ParkedEvent, SubscriberCheckpoints } from './subscriber-checkpoints';
import type { SubscriberObserver } from './subscriber-observer';

export interface SubscriberRunnerContext {
  readonly store: EventStore;
  readonly checkpoints: SubscriberCheckpoints;
  /** This manager's runner id, written into the lease. */
  readonly owner: string;
  readonly leaseMs: number;
  readonly batchSize: number;
  readonly policy: DeliveryPolicy;
  readonly logger: ProjectionLogger;
  readonly observer?: SubscriberObserver;
}

/** Events handled or parked since the checkpoint last moved (the part of a page not yet recorded). */
interface PendingProgress {
  /** Position of the last event handled or parked; the checkpoint moves there. */
  position: number;
  handled: number;
  parked: ParkedEvent[];
}

/**
 * Delivers one subscriber's events: takes the delivery lease, reads a page from the checkpoint,
 * hands each event to the handler (with retries), and moves the checkpoint once per page (and
 * before pausing to retry a failed event, and when stopping), in one short transaction. Shares a
 * drain between the live loop and catch-up callers; `stop` lets the event in hand finish.
 */
export class SubscriberRunner {
  private knownPosition = 0;
  private owning = false;
  /** performance.now() of the last write that showed the lease to be ours (claim, renewal, checkpoint). */
  private leaseConfirmedAt = Number.NEGATIVE_INFINITY;
  private renewTimer: NodeJS.Timeout | undefined;
  private drainInFlight: Promise<boolean> | undefined;

  private live = false;
  private stopping = false;
  private wakeRequested = false;
  private wakeUp: (() => void) | undefined;
  private interruptPauses = new Set<() => void>();
  private liveLoop: Promise<void> | undefined;

  constructor(
    readonly subscriber: EventSubscriber,
    private readonly context: SubscriberRunnerContext,
  ) {}

  get name(): string {
    return this.subscriber.name;
  }

  /** True while this runner holds the delivery lease (as far as it knows). */
  get ownsLease(): boolean {
    return this.owning;
  }

  startLive(): void {
    if (this.live) return;
    this.live = true;
    this.stopping = false;
    this.wakeRequested = true;
    this.liveLoop = this.runLive().catch((error: unknown) => {
      // Only a throwing logger gets here; the process must not die of an unhandled rejection.
      this.live = false;
      console.error(`Subscriber "${this.name}" stopped`, error);
    });
  }

  /** Lets the event in hand finish (no further retry waits), stops, and gives the lease up. */
  async stop(): Promise<void> {
    this.live = false;
    this.stopping = true;
    this.wakeUp?.();
    for (const interrupt of [...this.interruptPauses]) interrupt();
    await this.liveLoop;
    this.liveLoop = undefined;
    await this.drainInFlight?.catch(() => undefined);
    await this.releaseLease();
    this.stopping = false;
  }

  get eventTypes(): readonly string[] {
    return this.subscriber.eventTypes;
  }

  wake(): void {
    this.wakeRequested = true;
    this.wakeUp?.();
  }

  /**
   * Resolves once the checkpoint (moved by this runner, or by the one holding the lease) has
   * reached `target`. Rejects with SubscriberWaitTimeoutError after `timeoutMs`.
   */
  async catchUp(target: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let pauseMs = 5;
    for (;;) {
      const owned = await this.drain();
      if (owned && !this.live && !this.drainInFlight) await this.releaseLease();
      const position = owned ? this.knownPosition : await this.storedPosition();
      if (position >= target) return;
      if (Date.now() >= deadline) throw new SubscriberWaitTimeoutError(this.name, target, position);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      pauseMs = Math.min(pauseMs * 2, 100);
    }
  }

  /** Delivers up to the log's end if the lease can be had; resolves to whether it was. */
  drain(): Promise<boolean> {
    if (this.drainInFlight) return this.drainInFlight;
    const run = this.runDrain().finally(() => {
      this.drainInFlight = undefined;
    });
    this.drainInFlight = run;
    return run;
  }

  private async runDrain(): Promise<boolean> {
    const { store, batchSize } = this.context;
    if (!(await this.holdLease())) return false;
    try {
      for (;;) {
        const from = this.knownPosition;
        const read = await store.readAll({ fromPosition: from + 1, maxCount: batchSize, filter: { types: this.subscriber.eventTypes } });
        const pending: PendingProgress = { position: from, handled: 0, parked: [] };
        for (const event of read.events) {
          if (this.stopping) return await this.recordProgress(pending);
          // The renewal found the lease taken over: the new owner delivers from the checkpoint.
          if (!this.owning) return false;
          const outcome = await deliver(this.subscriber, event, {
            policy: this.context.policy,
            logger: this.context.logger,
            observer: this.context.observer,
            // What is handled so far is recorded before a backoff wait, so a long retry holds nothing back.
            pause: async (ms) => (await this.recordProgress(pending)) && this.pause(ms),
          });
          if (outcome.kind === 'interrupted') return await this.recordProgress(pending);
          pending.position = event.position;
          if (outcome.kind === 'handled') pending.handled += 1;
          else pending.parked.push(outcome.parked);
        }
        // Past the events of other types scanned by the read too.
        pending.position = Math.max(pending.position, read.nextPosition - 1);
        await this.recordProgress(pending);
        if (read.isEnd || this.knownPosition === from || this.stopping) return true;
        // better-sqlite3 answers synchronously, so a long catch-up would otherwise run as one
        // unbroken chain of microtasks and starve requests and timers: yield between pages.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      // The next drain claims again first: no page is delivered while the checkpoint cannot be written.
      this.leaseConfirmedAt = Number.NEGATIVE_INFINITY;
      if (!(error instanceof LeaseLostError)) throw error;
      this.context.logger.warn('Another runner took the subscriber over', { subscriber: this.name, position: this.knownPosition });
      this.setOwning(false);
      return false;
    }
  }

  /**
   * Makes sure this runner holds the lease, claiming it (and reading the checkpoint) unless a
   * write showed it ours less than half a lease ago: while it is ours nobody else moves the
   * checkpoint, so the one known here is current, and every checkpoint write checks the lease
   * anyway. Saves a transaction per drain, i.e. per burst of appends.
   */
  private async holdLease(): Promise<boolean> {
    if (this.owning && performance.now() - this.leaseConfirmedAt < this.context.leaseMs / 2) return true;
    const { checkpoints, owner, leaseMs } = this.context;
    const claimedAt = performance.now();
    const claimed = await checkpoints.claim(this.name, owner, leaseMs);
    if (claimed === undefined) {
      this.setOwning(false);
      return false;
    }
    if (claimed.takenFrom) {
      const { owner: previousOwner, expiredMsAgo } = claimed.takenFrom;
      // Its last renewal was a lease before expiry (assuming it ran with the same lease length).
      this.context.logger.warn('Took over a subscriber whose runner stopped renewing its lease', {
        subscriber: this.name,
        previousOwner,
        staleForMs: expiredMsAgo + leaseMs,
        leaseExpiredMsAgo: expiredMsAgo,
        position: claimed.position,
      });
    }
    this.knownPosition = claimed.position;
    this.leaseConfirmedAt = claimedAt;
    this.setOwning(true);
    return true;
  }

  /** Moves the checkpoint over `pending` (when it has moved) and clears it; resolves to true. */
  private async recordProgress(pending: PendingProgress): Promise<true> {
    if (pending.position <= this.knownPosition) return true;
    const { checkpoints, owner, leaseMs, logger, observer } = this.context;
    const writtenAt = performance.now();
    await checkpoints.advance(this.name, owner, leaseMs, pending.position, { handled: pending.handled, parked: pending.parked });
    this.knownPosition = pending.position;
    this.leaseConfirmedAt = writtenAt;
    pending.handled = 0;
    pending.parked = [];
    notifyObserver(observer?.onCheckpoint, { subscriber: this.name, position: pending.position }, logger);
    return true;
  }

  private async storedPosition(): Promise<number> {
    const { rows } = await this.context.checkpoints.read([this.name]);
    return rows[0]?.position ?? 0;
  }

  private setOwning(owning: boolean): void {
    this.owning = owning;
    if (!owning) {
      clearInterval(this.renewTimer);
      this.renewTimer = undefined;
      return;
    }
    if (this.renewTimer) return;
    // Handlers may run longer than the lease: keep it while this process is alive.
    this.renewTimer = setInterval(() => void this.renew(), Math.max(10, Math.floor(this.context.leaseMs / 3)));
    this.renewTimer.unref();
  }

  private async renew(): Promise<void> {
    try {
      const renewedAt = performance.now();
      const kept = await this.context.checkpoints.renew(this.name, this.context.owner, this.context.leaseMs);
      if (!kept) this.setOwning(false);
      else this.leaseConfirmedAt = Math.max(this.leaseConfirmedAt, renewedAt);
    } catch (error) {
      this.context.logger.warn('Renewing the subscriber lease failed', { subscriber: this.name, error: errorMessage(error) });
    }
  }

  private async releaseLease(): Promise<void> {
    const wasOwning = this.owning;
    this.setOwning(false);
    if (!wasOwning) return;
    try {
      await this.context.checkpoints.release(this.name, this.context.owner);
    } catch (error) {
      // The lease then simply runs out; another runner takes over after leaseMs.
      this.context.logger.warn('Releasing the subscriber lease failed', { subscriber: this.name, error: errorMessage(error) });
    }
  }

  private async runLive(): Promise<void> {
    let failures = 0;
    while (this.live) {
      if (!this.wakeRequested) {
        await new Promise<void>((resolve) => {
          this.wakeUp = resolve;
        });
        this.wakeUp = undefined;
        continue;
      }
      this.wakeRequested = false;
      try {
        await this.drain();
        failures = 0;
      } catch (error) {
        failures += 1;
        const delayMs = backoffDelay(failures, this.context.policy.retryDelay);
        this.context.logger.error('Subscriber could not read or move its checkpoint; retrying', {
          subscriber: this.name,
          position: this.knownPosition,
          attempt: failures,
          retryInMs: delayMs,
          error: errorMessage(error),
        });
        this.wakeRequested = true;
        await this.pause(delayMs);
      }
    }
  }

  /** Waits `ms`; resolves false (early) when the runner is being stopped. */
  private pause(ms: number): Promise<boolean> {
    if (this.stopping) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const finish = (completed: boolean) => {
        clearTimeout(timer);
        this.interruptPauses.delete(interrupt);
        resolve(completed);
      };
      const interrupt = () => finish(false);
      const timer = setTimeout(() => finish(true), ms);
      this.interruptPauses.add(interrupt);
    });
  }
}
