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
 *
 * Round trips, not CPU, bound a busy worker (each statement is a wake-up of the database
 * server and, for a write, a commit): so claims take a batch, and outcomes are written in
 * batches. A send slot is free again as soon as the target has answered; the outcome joins
 * the next batch write, and only once that write has committed does the delivery count as
 * done (metrics, the rest of its event's chain, the claim given up). A crash before that
 * sends it again after its claim runs out, with the same idempotency key.
 */
export class DeliveryWorker {
  /** Posts to targets now. */
  private readonly sending = new Map<number, DeliveryRow>();
  /** Claimed, waiting for a send slot at their target. */
  private readonly queued: DeliveryRow[] = [];
  /** Claimed rows (sending or queued) per target. */
  private readonly heldPerTarget = new Map<string, number>();
  private readonly sendingPerTarget = new Map<string, number>();
  /** Answered, their outcomes waiting for the next batch write or in it. */
  private readonly recording = new Map<number, { row: DeliveryRow; outcome: AttemptOutcome }>();
  private flushing: Promise<void> | undefined;
  private flushScheduled = false;
  private live = false;
  private claiming: Promise<void> | undefined;
  private claimAgain = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private lastSweep = 0;
  private readonly idle = new Set<() => void>();
  /** Claimed rows this worker holds at most (sending and queued): enough queued to keep every slot busy while the next claim runs. */
  private readonly maxHeld: number;
  /** …and of one target, so one target's backlog cannot crowd the others out of the claims. */
  private readonly maxHeldPerTarget: number;

  constructor(
    private readonly deliveries: DeliveryStore,
    private readonly index: ExecutionIndex,
    private readonly caller: TargetCaller,
    private readonly options: DeliveryWorkerOptions,
    private readonly logger: ProjectionLogger,
    private readonly observer: DeliveryObserver = {},
  ) {
    // Deep enough that a target's slots stay busy while the next claim runs (a claim is refilled
    // when half of a target's share is left), shallow enough to leave the rest to other replicas.
    this.maxHeld = 4 * options.concurrency;
    this.maxHeldPerTarget = Math.min(this.maxHeld, 16 * options.concurrencyPerTarget);
  }

  async start(): Promise<void> {
    if (this.live) return;
    if (this.deliveries.dialect.kind === 'sqlite') await this.deliveries.releaseAllClaims();
    this.live = true;
    this.renewTimer = setInterval(() => void this.renewClaims(), Math.max(10, Math.floor(this.options.claimMs / 3)));
    this.renewTimer.unref();
    this.schedulePoll();
    this.wake();
  }

  /** Stops claiming, gives queued claims back and waits for the deliveries in flight and their outcomes. */
  async stop(): Promise<void> {
    this.live = false;
    clearTimeout(this.pollTimer);
    await this.claiming;
    const queued = this.queued.splice(0);
    for (const row of queued) this.release(row);
    await this.deliveries.release(this.options.owner, queued.map((row) => row.id)).catch(() => undefined);
    while (this.sending.size > 0 || this.recording.size > 0) await new Promise<void>((resolve) => this.idle.add(resolve));
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
        const limit = this.maxHeld - this.sending.size - this.queued.length;
        if (limit <= 0) return;
        const room = new Map([...this.heldPerTarget].map(([target, held]) => [target, this.maxHeldPerTarget - held]));
        const claimed = await this.deliveries.claim(this.options.owner, this.options.claimMs, limit, { of: room, others: this.maxHeldPerTarget });
        for (const row of claimed) {
          this.heldPerTarget.set(row.targetId, (this.heldPerTarget.get(row.targetId) ?? 0) + 1);
          this.queued.push(row);
        }
        this.sendQueued();
        // A full batch may leave more due rows behind.
        if (claimed.length === limit) this.claimAgain = true;
      } catch (error) {
        this.logger.error('Claiming event deliveries failed; retrying', { error: errorText(error) });
        return;
      }
    } while (this.claimAgain && this.live);
  }

  /** Starts queued deliveries whose targets have a free slot, in claim order. */
  private sendQueued(): void {
    for (let index = 0; index < this.queued.length && this.sending.size < this.options.concurrency; ) {
      const row = this.queued[index]!;
      if ((this.sendingPerTarget.get(row.targetId) ?? 0) >= this.options.concurrencyPerTarget) {
        index += 1;
        continue;
      }
      this.queued.splice(index, 1);
      this.send(row);
    }
  }

  private send(row: DeliveryRow): void {
    this.sendingPerTarget.set(row.targetId, (this.sendingPerTarget.get(row.targetId) ?? 0) + 1);
    this.sending.set(row.id, row);
    // Log lines of the attempt carry the id of the request that stored the event.
    const attempt = row.requestId === null ? this.attempt(row) : runWithRequestContext({ correlationId: row.requestId, causationId: row.eventId, requestId: row.requestId }, () => this.attempt(row));
    void attempt
      .then(
        (outcome) => this.record(row, outcome),
        (error: unknown) => this.logger.error('A delivery attempt failed unexpectedly; the claim runs out and it is sent again', { deliveryId: row.id, error: errorText(error) }),
      )
      .finally(() => this.answered(row));
  }

  /** The target answered (or the attempt ended): its slot is free for the next queued delivery. */
  private answered(row: DeliveryRow): void {
    this.sending.delete(row.id);
    decrement(this.sendingPerTarget, row.targetId);
    this.release(row);
    if (!this.live) {
      this.settleIdle();
      return;
    }
    this.sendQueued();
    if (this.runsLow(row.targetId)) this.wake();
  }

  /**
   * Whether to claim again: once a target's queue runs low, not after every answer, since each
   * claim is a statement that scans the oldest due deliveries. Targets this worker holds nothing
   * of are found by the claims these trigger, the recorder's wake-ups and the poll.
   */
  private runsLow(targetId: string): boolean {
    return (this.heldPerTarget.get(targetId) ?? 0) <= this.maxHeldPerTarget / 2;
  }

  private release(row: DeliveryRow): void {
    decrement(this.heldPerTarget, row.targetId);
  }

  private record(row: DeliveryRow, outcome: AttemptOutcome): void {
    this.recording.set(row.id, { row, outcome });
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // The outcomes of every answer of this turn of the event loop (and any that came while the previous write ran) go in one write.
    setImmediate(() => {
      void (this.flushing ?? Promise.resolve()).then(() => {
        this.flushScheduled = false;
        this.flushing = this.flush().finally(() => {
          this.flushing = undefined;
        });
      });
    });
  }

  private async flush(): Promise<void> {
    // Writes are one at a time (see record()): what is in the map now is one batch.
    const batch = [...this.recording.values()];
    if (batch.length === 0) return;
    let recorded: Set<number>;
    try {
      recorded = new Set(await this.deliveries.finish(this.options.owner, batch.map(({ row, outcome }) => ({ id: row.id, outcome }))));
    } catch (error) {
      this.logger.error('Recording delivery outcomes failed; their claims run out and they are sent again', { deliveries: batch.length, error: errorText(error) });
      recorded = new Set();
    }
    for (const { row } of batch) this.recording.delete(row.id);
    for (const { row, outcome } of batch) if (recorded.has(row.id)) this.report(row, outcome);
    this.settleIdle();
    // The rest of a finished delivery's chain may be due now.
    if (batch.some(({ row }) => recorded.has(row.id) && this.runsLow(row.targetId))) this.wake();
  }

  private report(row: DeliveryRow, outcome: AttemptOutcome): void {
    if (outcome.kind === 'delivered') this.observer.onDelivered?.(row, Date.now() - row.createdAt);
    if (outcome.kind === 'retry') this.observer.onRetry?.(row);
    if (outcome.kind === 'dropped') this.observer.onDropped?.(1);
    if (outcome.kind === 'parked') {
      this.logger.warn('A delivery used up its attempts and is parked', { deliveryId: row.id, targetId: row.targetId, eventId: row.eventId, attempts: row.attempts + 1 });
      this.observer.onParked?.(row);
    }
  }

  private settleIdle(): void {
    if (this.sending.size > 0 || this.recording.size > 0) return;
    for (const resolve of this.idle) resolve();
    this.idle.clear();
  }

  private async attempt(row: DeliveryRow): Promise<AttemptOutcome> {
    const { maxAgeMs, maxAttempts } = this.options;
    const ageMs = Date.now() - row.createdAt;
    if (ageMs > maxAgeMs) return { kind: 'dropped', error: `older than DELIVERY_MAX_AGE (${maxAgeMs} ms)` };
    const target = await this.index.target(row.instanceId, row.targetId, row.eventPosition);
    if (target === undefined) return { kind: 'dropped', error: 'the target was removed' };
    // An event delivery succeeds on any 2xx, whatever the target type: there is nothing to replace.
    const result = await this.caller.call({ ...target, targetType: TargetType.Webhook }, row.body, { [IDEMPOTENCY_KEY_HEADER]: `${row.eventId}/${row.targetId}` });
    if (result.outcome !== 'failed') return { kind: 'delivered' };
    const attempts = row.attempts + 1;
    return attempts >= maxAttempts
      ? { kind: 'parked', error: result.reason }
      : { kind: 'retry', error: result.reason, delayMs: backoffDelay(attempts, { initialMs: this.options.retryInitialMs, maxMs: this.options.retryMaxMs }) };
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
      const held = [...this.sending.keys(), ...this.queued.map((row) => row.id), ...this.recording.keys()];
      await this.deliveries.renew(this.options.owner, held, this.options.claimMs);
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

function decrement(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left <= 0) counts.delete(key);
  else counts.set(key, left);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
