import type { StoredEvent } from '@app/event-store';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { quotedTablePath, type DatabaseDialect } from '../projections/database-dialect';
import { LeaseLostError } from './errors';
import { FailedEventEntity, SubscriberCheckpointEntity, type SubscriberCheckpointRow } from './subscriber-tables';

/** What to record with a checkpoint move after a delivery that used up its attempts. */
export interface ParkedEvent {
  event: StoredEvent;
  error: string;
  attempts: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
}

/** What a checkpoint move records besides the new position (nothing when it only passes events of other types). */
export interface CheckpointMove {
  /** Events handled since the last move. */
  handled: number;
  /** Events parked since the last move, recorded in failed_events in the same transaction. */
  parked: readonly ParkedEvent[];
}

/** A lease taken: the checkpoint, and the runner whose lease had run out, when there was one. */
export interface Claim {
  position: number;
  /** Another runner held the lease and stopped renewing it (it crashed or lost the database) `expiredMsAgo` ago. */
  takenFrom?: { owner: string; expiredMsAgo: number };
}

/**
 * The subscriber_checkpoints rows: checkpoints, and the delivery lease that lets one runner at
 * a time deliver a subscriber's events. Lease times use the database's clock, so runners on
 * hosts with different clocks agree on when a lease has run out.
 *
 * Why a lease and not the engine's lock held for a transaction: handlers run side effects for
 * as long as they need (retries with backoff included); a transaction (on SQLite, the whole
 * file's write lock) held meanwhile would stall the projections. Every write here is a short
 * transaction, and the owner check in the checkpoint update is what keeps two runners apart.
 */
export class SubscriberCheckpoints {
  private readonly table: string;
  private readonly nowMs: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly dialect: DatabaseDialect,
  ) {
    this.table = quotedTablePath(dataSource, SubscriberCheckpointEntity);
    this.nowMs =
      dialect.kind === 'postgres'
        ? '(extract(epoch from clock_timestamp()) * 1000)::bigint'
        : "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";
  }

  /** Creates missing checkpoint rows at `startPositions` (their own start per subscriber). */
  async ensureRows(startPositions: ReadonlyMap<string, number>): Promise<void> {
    if (startPositions.size === 0) return;
    const now = new Date();
    await this.transaction((manager) =>
      manager
        .createQueryBuilder()
        .insert()
        .into(SubscriberCheckpointEntity)
        .values(
          [...startPositions].map(([name, position]) => ({
            name,
            position,
            eventsHandled: 0,
            eventsFailed: 0,
            updatedAt: now,
            owner: null,
            leaseUntil: null,
          })),
        )
        .orIgnore()
        .execute(),
    );
  }

  /**
   * Takes (or extends) the lease when it is free, expired or ours; then returns the checkpoint,
   * and who held the lease before when it was another runner's and had run out (a takeover).
   */
  async claim(name: string, owner: string, leaseMs: number): Promise<Claim | undefined> {
    return this.transaction(async (manager) => {
      // Read under the transaction's lock (PostgreSQL: the row; SQLite: the write lock taken first).
      const lock = this.dialect.kind === 'postgres' ? ' FOR UPDATE' : '';
      const [before]: Array<{ owner: string | null; lease_until: string | number | null; now: string | number }> = await manager.query(
        `SELECT owner, lease_until, ${this.nowMs} AS now FROM ${this.table} WHERE name = ${this.dialect.kind === 'postgres' ? '$1' : '?'}${lock}`,
        [name],
      );
      const result = await manager
        .createQueryBuilder()
        .update(SubscriberCheckpointEntity)
        .set({ owner, leaseUntil: () => `${this.nowMs} + ${Math.round(leaseMs)}` })
        .where('name = :name', { name })
        .andWhere(`(owner IS NULL OR owner = :owner OR lease_until IS NULL OR lease_until < ${this.nowMs})`, { owner })
        .execute();
      if (result.affected !== 1) return undefined;
      const row = await manager.findOneByOrFail(SubscriberCheckpointEntity, { name });
      const takenFrom =
        before?.owner != null && before.owner !== owner && before.lease_until != null
          ? { owner: before.owner, expiredMsAgo: Math.max(0, Number(before.now) - Number(before.lease_until)) }
          : undefined;
      return { position: row.position, takenFrom };
    });
  }

  /** Extends our lease; false when it is no longer ours. */
  async renew(name: string, owner: string, leaseMs: number): Promise<boolean> {
    return this.transaction(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(SubscriberCheckpointEntity)
        .set({ leaseUntil: () => `${this.nowMs} + ${Math.round(leaseMs)}` })
        .where('name = :name AND owner = :owner', { name, owner })
        .execute();
      return result.affected === 1;
    });
  }

  /** Gives the lease up so a standby runner can take over at once. */
  async release(name: string, owner: string): Promise<void> {
    await this.transaction((manager) =>
      manager
        .createQueryBuilder()
        .update(SubscriberCheckpointEntity)
        .set({ owner: null, leaseUntil: null })
        .where('name = :name AND owner = :owner', { name, owner })
        .execute(),
    );
  }

  /**
   * Moves the checkpoint to `position` (adding the handled and parked counts, and recording the
   * parked events) in one transaction, if the lease is still ours; otherwise changes nothing
   * and throws LeaseLostError.
   */
  async advance(name: string, owner: string, leaseMs: number, position: number, move: CheckpointMove): Promise<void> {
    await this.transaction(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(SubscriberCheckpointEntity)
        .set({
          position,
          updatedAt: new Date(),
          leaseUntil: () => `${this.nowMs} + ${Math.round(leaseMs)}`,
          // Whole numbers of our own, so nothing of a caller reaches the SQL text.
          ...(move.handled > 0 ? { eventsHandled: () => `events_handled + ${Math.floor(move.handled)}` } : {}),
          ...(move.parked.length > 0 ? { eventsFailed: () => `events_failed + ${move.parked.length}` } : {}),
        })
        .where('name = :name AND owner = :owner', { name, owner })
        .execute();
      if (result.affected !== 1) throw new LeaseLostError(name);
      for (const parked of move.parked) await recordParked(manager, name, parked);
    });
  }

  async read(names: readonly string[]): Promise<{ rows: SubscriberCheckpointRow[]; databaseNowMs: number }> {
    return this.dialect.exclusive(async () => {
      const rows = await this.dataSource.getRepository(SubscriberCheckpointEntity).findBy({ name: In([...names]) });
      const [clock]: Array<{ now: string | number }> = await this.dataSource.query(`SELECT ${this.nowMs} AS now`);
      return { rows, databaseNowMs: Number(clock.now) };
    });
  }

  private transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dialect.transaction(this.dataSource, this.table, work);
  }
}

async function recordParked(manager: EntityManager, subscriber: string, parked: ParkedEvent): Promise<void> {
  const { event } = parked;
  await manager.upsert(
    FailedEventEntity,
    {
      subscriber,
      eventId: event.id,
      position: event.position,
      type: event.type,
      stream: event.stream,
      tenant: event.tenant,
      error: parked.error,
      attempts: parked.attempts,
      firstFailedAt: parked.firstFailedAt,
      lastFailedAt: parked.lastFailedAt,
      status: 'failed',
      resolvedAt: null,
    },
    ['subscriber', 'eventId'],
  );
}
