import type { ProjectionLogger } from '@app/eventsourcing';
import { backoffDelay } from '@app/eventsourcing/projections/projection-runner';
import { runWithRequestContext } from '../../observability/request/request-context';
import { TargetType } from '../../targets/domain/target-events';
import type { TargetCaller } from '../calls/target-caller';
import type { ExecutionIndex } from '../index/execution-index';
import type { AttemptOutcome, DeliveryStore } from './delivery-store';
import type { DeliveryRow } from './delivery-tables';

export interface DeliveryWorkerOptions {
  /** This worker's name in claims. */
  owner: string;
  /** Attempts before a delivery is parked. */
  maxAttempts: number;
  /** First retry delay; doubles (with jitter) up to `retryMaxMs`. */
  retryInitialMs: number;
  retryMaxMs: number;
  /** Deliveries of events stored longer ago than this are dropped. */
  maxAgeMs: number;
  /** Deliveries in flight at once on this worker, and to one target. */
  concurrency: number;
  concurrencyPerTarget: number;
  /** How long a claim lasts without renewal: a crashed worker's deliveries are taken over after it. */
  claimMs: number;
  /** How often to look for due deliveries (retries, other replicas' recordings) without a wake-up. */
  pollMs: number;
}

/** What the worker reports, for metrics. */
export interface DeliveryObserver {
  onDelivered?(row: DeliveryRow, ageMs: number): void;
  onRetry?(row: DeliveryRow): void;
  onParked?(row: DeliveryRow): void;
  onDropped?(count: number): void;
}

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/**
 * Sends recorded deliveries (spec §4): claims due ones in the shared table, bounded overall
 * and per target, posts each signed event body with `Idempotency-Key: <event id>/<target id>`,
 * and records the outcome: delivered, a retry after an exponential backoff, parked after the
 * last attempt, or dropped when older than the maximum age or its target is gone.
 */
export class DeliveryWorker {
  private readonly inFlight = new Map<number, DeliveryRow>();
  private readonly perTarget = new Map<string, number>();
  /** Claimed, waiting for room at their target. */
  private readonly waiting: DeliveryRow[] = [];
  private live = false;
  private claiming: Promise<void> | undefined;
  private claimAgain = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private lastSweep = 0;
  private readonly idle = new Set<() => void>();

  constructor(
    private readonly deliveries: DeliveryStore,
    private readonly index: ExecutionIndex,
    private readonly caller: TargetCaller,
    private readonly options: DeliveryWorkerOptions,
    private readonly logger: ProjectionLogger,
    private readonly observer: DeliveryObserver = {},
  ) {}

  async start(): Promise<void> {
    if (this.live) return;
    if (this.deliveries.dialect.kind === 'sqlite') await this.deliveries.releaseAllClaims();
    this.live = true;
    this.renewTimer = setInterval(() => void this.renewClaims(), Math.max(10, Math.floor(this.options.claimMs / 3)));
    this.renewTimer.unref();
    this.schedulePoll();
    this.wake();
  }

  /** Stops claiming and waits for the deliveries in flight. */
  async stop(): Promise<void> {
    this.live = false;
    clearTimeout(this.pollTimer);
    await this.claiming;
    const waiting = this.waiting.splice(0).map((row) => row.id);
    await this.deliveries.release(this.options.owner, waiting).catch(() => undefined);
    while (this.inFlight.size > 0) await new Promise<void>((resolve) => this.idle.add(resolve));
    clearInterval(this.renewTimer);
  }

  /** Deliveries may be due: claim what there is room for. */
  wake(): void {
    if (!this.live) return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    this.claiming = this.claimLoop().finally(() => {
      this.claiming = undefined;
    });
  }

  private async claimLoop(): Promise<void> {
    do {
      this.claimAgain = false;
      try {
        await this.sweep();
        const room = this.options.concurrency - this.inFlight.size - this.waiting.length;
        if (room <= 0) return;
        const busy = [...this.perTarget].filter(([, count]) => count >= this.options.concurrencyPerTarget).map(([target]) => target);
        const claimed = await this.deliveries.claim(this.options.owner, this.options.claimMs, room, busy);
        for (const row of claimed) this.begin(row);
        // A full page may leave more due rows behind; a row skipped for a busy target waits for a finish.
        if (claimed.length === room) this.claimAgain = true;
      } catch (error) {
        this.logger.error('Claiming event deliveries failed; retrying', { error: errorText(error) });
        return;
      }
    } while (this.claimAgain && this.live);
  }

  /** Starts a claimed delivery, or keeps it (claimed) until its target has room. */
  private begin(row: DeliveryRow): void {
    if ((this.perTarget.get(row.targetId) ?? 0) >= this.options.concurrencyPerTarget) {
      this.waiting.push(row);
      return;
    }
    this.perTarget.set(row.targetId, (this.perTarget.get(row.targetId) ?? 0) + 1);
    this.inFlight.set(row.id, row);
    // Log lines of the attempt carry the id of the request that stored the event.
    const attempt = row.requestId === null ? this.attempt(row) : runWithRequestContext({ correlationId: row.requestId, causationId: row.eventId, requestId: row.requestId }, () => this.attempt(row));
    void attempt
      .catch((error: unknown) => this.logger.error('Recording a delivery outcome failed; the claim runs out and it is sent again', { deliveryId: row.id, error: errorText(error) }))
      .finally(() => this.end(row));
  }

  private end(row: DeliveryRow): void {
    this.inFlight.delete(row.id);
    const left = (this.perTarget.get(row.targetId) ?? 1) - 1;
    if (left <= 0) this.perTarget.delete(row.targetId);
    else this.perTarget.set(row.targetId, left);
    const next = this.waiting.findIndex((waiting) => waiting.targetId === row.targetId);
    if (next >= 0 && this.live) this.begin(this.waiting.splice(next, 1)[0]!);
    if (this.inFlight.size === 0) {
      for (const resolve of this.idle) resolve();
      this.idle.clear();
    }
    this.wake();
  }

  private async attempt(row: DeliveryRow): Promise<void> {
    const { owner, maxAgeMs, maxAttempts } = this.options;
    const ageMs = Date.now() - row.createdAt;
    if (ageMs > maxAgeMs) {
      await this.deliveries.finish(row.id, owner, { kind: 'dropped', error: `older than DELIVERY_MAX_AGE (${maxAgeMs} ms)` });
      this.observer.onDropped?.(1);
      return;
    }
    const target = await this.index.target(row.instanceId, row.targetId);
    if (target === undefined) {
      await this.deliveries.finish(row.id, owner, { kind: 'dropped', error: 'the target was removed' });
      this.observer.onDropped?.(1);
      return;
    }
    // An event delivery succeeds on any 2xx, whatever the target type: there is nothing to replace.
    const result = await this.caller.call({ ...target, targetType: TargetType.Webhook }, row.body, { [IDEMPOTENCY_KEY_HEADER]: `${row.eventId}/${row.targetId}` });
    let outcome: AttemptOutcome;
    if (result.outcome !== 'failed') {
      outcome = { kind: 'delivered' };
    } else {
      const attempts = row.attempts + 1;
      outcome =
        attempts >= maxAttempts
          ? { kind: 'parked', error: result.reason }
          : { kind: 'retry', error: result.reason, delayMs: backoffDelay(attempts, { initialMs: this.options.retryInitialMs, maxMs: this.options.retryMaxMs }) };
    }
    await this.deliveries.finish(row.id, owner, outcome);
    if (outcome.kind === 'delivered') this.observer.onDelivered?.(row, Date.now() - row.createdAt);
    if (outcome.kind === 'retry') this.observer.onRetry?.(row);
    if (outcome.kind === 'parked') {
      this.logger.warn('A delivery used up its attempts and is parked', { deliveryId: row.id, targetId: row.targetId, eventId: row.eventId, attempts: row.attempts + 1 });
      this.observer.onParked?.(row);
    }
  }

  /** At most every few seconds: drops pending deliveries past the maximum age (those held back behind a parked one included). */
  private async sweep(): Promise<void> {
    if (Date.now() - this.lastSweep < 5_000) return;
    this.lastSweep = Date.now();
    const dropped = await this.deliveries.dropOlderThan(this.options.maxAgeMs);
    if (dropped > 0) {
      this.logger.warn('Dropped deliveries older than DELIVERY_MAX_AGE', { dropped });
      this.observer.onDropped?.(dropped);
    }
  }

  private async renewClaims(): Promise<void> {
    try {
      await this.deliveries.renew(this.options.owner, [...this.inFlight.keys(), ...this.waiting.map((row) => row.id)], this.options.claimMs);
    } catch (error) {
      this.logger.warn('Renewing delivery claims failed', { error: errorText(error) });
    }
  }

  private schedulePoll(): void {
    if (!this.live) return;
    this.pollTimer = setTimeout(() => {
      this.wake();
      this.schedulePoll();
    }, this.options.pollMs);
    this.pollTimer.unref();
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
