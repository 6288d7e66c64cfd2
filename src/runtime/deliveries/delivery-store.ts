import { dialectOf, quotedTablePath, type DatabaseDialect } from '@app/eventsourcing/projections/database-dialect';
import { synchronizeEntities } from '@app/eventsourcing/projections/schema-sync';
import type { DataSource, EntityManager } from 'typeorm';
import type { DeliveryState } from './delivery-json';
import { DeliveryCheckpointEntity, DeliveryEntity, deliveryEntities, type DeliveryRow } from './delivery-tables';

/** The recorder's row in event_delivery_checkpoints. */
export const RECORDER_NAME = 'event-executions';

/** A delivery to record: one target of one event's chain. */
export type NewDelivery = Pick<DeliveryRow, 'instanceId' | 'eventId' | 'eventType' | 'targetId' | 'chainIndex' | 'eventPosition' | 'requestId' | 'body' | 'createdAt'> & {
  interruptOnError: boolean;
};

/** How an attempt ended, as the worker records it. */
export type AttemptOutcome =
  | { kind: 'delivered' }
  | { kind: 'retry'; error: string; delayMs: number }
  | { kind: 'parked'; error: string }
  | { kind: 'dropped'; error: string };

/** How many more deliveries a claim may take per target: `of` the targets listed, `others` for any other. */
export interface TargetRoom {
  of: ReadonlyMap<string, number>;
  others: number;
}

export interface DeliveryCounts {
  pending: number;
  parked: number;
  /** Age of the oldest pending delivery in ms (0 when none). */
  oldestPendingAgeMs: number;
}

/**
 * A claim looks only at this many of the oldest due deliveries: when they all go to targets at
 * their bound (or are claimed), a claim costs this much, not a scan of the whole backlog.
 */
const CLAIM_WINDOW = 1000;

/** The longest error text kept with a delivery. */
const MAX_ERROR_TEXT = 2000;

/**
 * The event_deliveries table on the read-model database (SQLite or PostgreSQL): recording in
 * the recorder's transaction, claims shared across replicas, outcomes, listing and retries.
 * Times of claims and attempts use the database's clock, so replicas agree on expiries.
 */
export class DeliveryStore {
  readonly dialect: DatabaseDialect;
  private readonly table: string;
  private readonly checkpointTable: string;
  private readonly nowMs: string;

  constructor(readonly dataSource: DataSource) {
    this.dialect = dialectOf(dataSource);
    this.table = quotedTablePath(dataSource, DeliveryEntity);
    this.checkpointTable = quotedTablePath(dataSource, DeliveryCheckpointEntity);
    this.nowMs =
      this.dialect.kind === 'postgres'
        ? '(extract(epoch from clock_timestamp()) * 1000)::bigint'
        : "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";
  }

  /** Creates the tables when missing (the command line, before the service has run). */
  ensureTables(): Promise<void> {
    return synchronizeEntities(this.dataSource, deliveryEntities);
  }

  /** Creates the tables, and the recorder's checkpoint at `startPosition` when it has none. */
  async init(startPosition: () => Promise<number>): Promise<void> {
    await this.ensureTables();
    if ((await this.checkpoint()) !== undefined) return;
    const position = await startPosition();
    await this.transaction((manager) =>
      manager.createQueryBuilder().insert().into(DeliveryCheckpointEntity).values({ name: RECORDER_NAME, position, updatedAt: new Date().toISOString() }).orIgnore().execute(),
    );
  }

  /** The recorder's checkpoint as committed; undefined before {@link init}. */
  async checkpoint(): Promise<number | undefined> {
    const rows: Array<{ position: string | number }> = await this.dialect.exclusive(() =>
      this.dataSource.query(this.sql(`SELECT position FROM ${this.checkpointTable} WHERE name = ?`), [RECORDER_NAME]),
    );
    return rows.length === 0 ? undefined : Number(rows[0]!.position);
  }

  /**
   * Records `deliveries` and moves the checkpoint from `from` to `to`, both or neither, and only
   * if the checkpoint is still at `from` (else another replica recorded these events: resolves
   * to false, nothing written). A delivery already there (same event and target) is left as it is.
   *
   * PostgreSQL: one autocommit statement, so one round trip and one commit per page. The
   * checkpoint UPDATE's `position = from` is re-checked on the row's newest version when a
   * concurrent replica moved it first, so only one of two racing replicas inserts.
   * SQLite: one write transaction (its write lock serialises recorders).
   */
  async recordPage(from: number, to: number, deliveries: readonly NewDelivery[]): Promise<boolean> {
    if (this.dialect.kind === 'postgres') return this.recordPageInOneStatement(from, to, deliveries);
    return this.transaction(async (manager) => {
      const checkpoint = await this.dialect.lockCheckpoint(manager, this.checkpointTable, RECORDER_NAME);
      if (checkpoint === undefined) throw new Error('The event-executions checkpoint row is missing');
      if (checkpoint !== from) return false;
      await this.insert(manager, deliveries);
      if (to > from) await manager.query(`UPDATE ${this.checkpointTable} SET position = ?, updated_at = ? WHERE name = ?`, [to, new Date().toISOString(), RECORDER_NAME]);
      return true;
    });
  }

  private async recordPageInOneStatement(from: number, to: number, deliveries: readonly NewDelivery[]): Promise<boolean> {
    const column = <K extends keyof NewDelivery>(key: K) => deliveries.map((delivery) => delivery[key]);
    const rows: Array<{ moved: string | number }> = await this.dataSource.query(
      `WITH moved AS (
          UPDATE ${this.checkpointTable} SET position = $2, updated_at = $3 WHERE name = $4 AND position = $1 RETURNING 1
        ), inserted AS (
          INSERT INTO ${this.table} (instance_id, event_id, event_type, target_id, chain_index, event_position, request_id, body, interrupt_on_error, created_at,
                                    state, attempts, next_attempt_at)
          SELECT d.instance_id, d.event_id, d.event_type, d.target_id, d.chain_index, d.event_position, d.request_id, d.body, d.interrupt_on_error, d.created_at,
                 'pending', 0, ${this.nowMs}
          FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::int[], $10::bigint[], $11::text[], $12::text[], $13::int[], $14::bigint[])
               AS d(instance_id, event_id, event_type, target_id, chain_index, event_position, request_id, body, interrupt_on_error, created_at)
          WHERE EXISTS (SELECT 1 FROM moved)
          ON CONFLICT (instance_id, event_id, target_id) DO NOTHING
          RETURNING 1
        )
        SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM inserted) AS inserted`,
      [
        from,
        to,
        new Date().toISOString(),
        RECORDER_NAME,
        column('instanceId'),
        column('eventId'),
        column('eventType'),
        column('targetId'),
        column('chainIndex'),
        column('eventPosition'),
        column('requestId'),
        column('body'),
        deliveries.map((delivery) => (delivery.interruptOnError ? 1 : 0)),
        column('createdAt'),
      ],
    );
    return Number(rows[0]?.moved ?? 0) > 0;
  }

  /** Inside a SQLite {@link recordPage}: records deliveries; one already there (same event and target) is left as it is. */
  private async insert(manager: EntityManager, deliveries: readonly NewDelivery[]): Promise<void> {
    const now = Date.now();
    for (let start = 0; start < deliveries.length; start += 200) {
      const values = deliveries.slice(start, start + 200).map((delivery) => ({
        ...delivery,
        interruptOnError: delivery.interruptOnError ? 1 : 0,
        state: 'pending' as const,
        attempts: 0,
        nextAttemptAt: now,
        claimedBy: null,
        claimUntil: null,
        lastError: null,
        finishedAt: null,
      }));
      await manager.createQueryBuilder().insert().into(DeliveryEntity).values(values).orIgnore().execute();
    }
  }

  /**
   * Claims up to `limit` due deliveries for `owner` until `claimMs` from now: pending, not
   * claimed by a live claimer, no earlier delivery of the same event still pending or parked
   * with interruptOnError; at most `room.of(target)` of one target (`room.others` of a target
   * not listed); among the oldest due ones ({@link CLAIM_WINDOW}), so deliveries go out
   * roughly in the order they became due. One statement: a batch per round trip. PostgreSQL
   * skips rows another replica is claiming (FOR UPDATE SKIP LOCKED, taken on the picked rows
   * only: a window function cannot share a level with it); a crashed claimer's rows come back
   * when its claim runs out.
   */
  async claim(owner: string, claimMs: number, limit: number, room: TargetRoom): Promise<DeliveryRow[]> {
    if (limit <= 0) return [];
    const listed = [...room.of];
    // Typed casts: PostgreSQL would otherwise resolve a CASE of bare parameters to text.
    const others = 'CAST(? AS INTEGER)';
    const perTarget = listed.length === 0 ? others : `CASE r.target_id ${listed.map(() => 'WHEN ? THEN CAST(? AS INTEGER)').join(' ')} ELSE ${others} END`;
    const lock = this.dialect.kind === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
    const unclaimed = (row: string) => `(${row}.claim_until IS NULL OR ${row}.claim_until < ${this.nowMs})`;
    const query = this.sql(`
      WITH candidates AS (
        SELECT d.id, d.target_id, d.next_attempt_at FROM ${this.table} d
        WHERE d.id IN (
            SELECT due.id FROM ${this.table} due WHERE due.state = 'pending' AND due.next_attempt_at <= ${this.nowMs}
            ORDER BY due.next_attempt_at, due.id LIMIT ${CLAIM_WINDOW})
          AND ${unclaimed('d')}
          AND NOT EXISTS (
            SELECT 1 FROM ${this.table} e
            WHERE e.instance_id = d.instance_id AND e.event_id = d.event_id AND e.chain_index < d.chain_index
              AND (e.state = 'pending' OR (e.state = 'parked' AND e.interrupt_on_error = 1)))
      ), ranked AS (
        SELECT c.id, c.target_id, c.next_attempt_at, row_number() OVER (PARTITION BY c.target_id ORDER BY c.next_attempt_at, c.id) AS n FROM candidates c
      ), picked AS (
        SELECT r.id FROM ranked r WHERE r.n <= ${perTarget} ORDER BY r.next_attempt_at, r.id LIMIT ${Math.floor(limit)}
      )
      UPDATE ${this.table} SET claimed_by = ?, claim_until = ${this.nowMs} + ${Math.round(claimMs)}
      WHERE id IN (SELECT p.id FROM ${this.table} p WHERE p.id IN (SELECT id FROM picked) AND p.state = 'pending' AND ${unclaimed('p')} ${lock})
      RETURNING *`);
    const parameters = [...listed.flatMap(([target, count]) => [target, Math.max(0, count)]), Math.max(0, room.others), owner];
    const raw: unknown = await this.write(query, parameters);
    // RETURNING comes in no particular order; the worker sends in the order it is given.
    return rowsOf(raw)
      .map(toRow)
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id);
  }

  /** Extends the claims of deliveries in flight. */
  async renew(owner: string, ids: readonly number[], claimMs: number): Promise<void> {
    if (ids.length === 0) return;
    await this.write(
      this.sql(`UPDATE ${this.table} SET claim_until = ${this.nowMs} + ${Math.round(claimMs)} WHERE claimed_by = ? AND id IN (${ids.map(() => '?').join(', ')})`),
      [owner, ...ids],
    );
  }

  /** Gives claims back unattempted (a worker stopping). */
  async release(owner: string, ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.write(this.sql(`UPDATE ${this.table} SET claimed_by = NULL, claim_until = NULL WHERE claimed_by = ? AND id IN (${ids.map(() => '?').join(', ')})`), [owner, ...ids]);
  }

  /**
   * Records attempts' outcomes, each only if its claim is still `owner`'s (else another worker
   * has the delivery now); resolves to the ids recorded. PostgreSQL: one UPDATE … FROM unnest
   * for the whole batch (one round trip, one commit); SQLite: one transaction.
   */
  async finish(owner: string, outcomes: ReadonlyArray<{ id: number; outcome: AttemptOutcome }>): Promise<number[]> {
    if (outcomes.length === 0) return [];
    const fields = outcomes.map(({ id, outcome }) => ({
      id,
      state: (outcome.kind === 'retry' ? 'pending' : outcome.kind) as DeliveryState,
      error: outcome.kind === 'delivered' ? null : outcome.error.slice(0, MAX_ERROR_TEXT),
      attempted: outcome.kind === 'dropped' ? 0 : 1,
      // Only a retry moves the next attempt, and only a retry leaves the delivery unfinished.
      delayMs: outcome.kind === 'retry' ? Math.round(outcome.delayMs) : null,
    }));
    const set = (o: string) => `state = ${o}.state, attempts = attempts + ${o}.attempted, last_error = ${o}.error,
        next_attempt_at = CASE WHEN ${o}.delay_ms IS NULL THEN next_attempt_at ELSE ${this.nowMs} + ${o}.delay_ms END,
        finished_at = CASE WHEN ${o}.state = 'pending' THEN NULL ELSE ${this.nowMs} END, claimed_by = NULL, claim_until = NULL`;
    if (this.dialect.kind === 'postgres') {
      const raw: unknown = await this.dataSource.query(
        `UPDATE ${this.table} t SET ${set('o')}
         FROM unnest($2::bigint[], $3::text[], $4::text[], $5::int[], $6::bigint[]) AS o(id, state, error, attempted, delay_ms)
         WHERE t.id = o.id AND t.claimed_by = $1 RETURNING t.id`,
        [owner, fields.map((f) => f.id), fields.map((f) => f.state), fields.map((f) => f.error), fields.map((f) => f.attempted), fields.map((f) => f.delayMs)],
      );
      return rowsOf(raw).map((row) => Number(row.id));
    }
    return this.transaction(async (manager) => {
      const recorded: number[] = [];
      for (const f of fields) {
        const rows: unknown = await manager.query(
          `UPDATE ${this.table} SET ${set('o')} FROM (SELECT ? AS state, ? AS error, ? AS attempted, ? AS delay_ms) AS o WHERE id = ? AND claimed_by = ? RETURNING id`,
          [f.state, f.error, f.attempted, f.delayMs, f.id, owner],
        );
        if (rowsOf(rows).length > 0) recorded.push(f.id);
      }
      return recorded;
    });
  }

  /** SQLite has one service process per file: claims left by a crashed one are free at start. */
  async releaseAllClaims(): Promise<void> {
    await this.write(`UPDATE ${this.table} SET claimed_by = NULL, claim_until = NULL WHERE claimed_by IS NOT NULL`);
  }

  /** Drops pending deliveries of events stored more than `maxAgeMs` ago; resolves to how many. */
  async dropOlderThan(maxAgeMs: number): Promise<number> {
    const raw: unknown = await this.write(
      this.sql(`UPDATE ${this.table} SET state = 'dropped', last_error = ?, finished_at = ${this.nowMs}, claimed_by = NULL, claim_until = NULL
        WHERE state = 'pending' AND created_at < ? AND (claim_until IS NULL OR claim_until < ${this.nowMs}) RETURNING id`),
      [`older than DELIVERY_MAX_AGE (${maxAgeMs} ms)`, Date.now() - maxAgeMs],
    );
    return rowsOf(raw).length;
  }

  /** Deliveries in `state`, oldest first; only `instanceId`'s when given. */
  async list(state: DeliveryState, options: { instanceId?: string; limit?: number } = {}): Promise<DeliveryRow[]> {
    const tenant = options.instanceId === undefined ? '' : 'AND instance_id = ?';
    const rows: unknown = await this.dialect.exclusive(() =>
      this.dataSource.query(this.sql(`SELECT * FROM ${this.table} WHERE state = ? ${tenant} ORDER BY id LIMIT ${Math.floor(options.limit ?? 1000)}`), [
        state,
        ...(options.instanceId === undefined ? [] : [options.instanceId]),
      ]),
    );
    return rowsOf(rows).map(toRow);
  }

  /**
   * Sends parked deliveries again from their first attempt: those with `ids`, or all (of
   * `instanceId` when given). Resolves to the deliveries made pending.
   */
  async retryParked(selection: { ids: readonly number[] } | { all: true }, instanceId?: string): Promise<number[]> {
    if ('ids' in selection && selection.ids.length === 0) return [];
    const byId = 'ids' in selection ? `AND id IN (${selection.ids.map(() => '?').join(', ')})` : '';
    const tenant = instanceId === undefined ? '' : 'AND instance_id = ?';
    const raw: unknown = await this.write(
      this.sql(`UPDATE ${this.table} SET state = 'pending', attempts = 0, next_attempt_at = ${this.nowMs}, finished_at = NULL, claimed_by = NULL, claim_until = NULL
        WHERE state = 'parked' ${byId} ${tenant} RETURNING id`),
      [...('ids' in selection ? selection.ids : []), ...(instanceId === undefined ? [] : [instanceId])],
    );
    return rowsOf(raw).map((row) => Number(row.id));
  }

  async counts(): Promise<DeliveryCounts> {
    const rows: unknown = await this.dialect.exclusive(() =>
      this.dataSource.query(`SELECT state, count(*) AS count, min(created_at) AS oldest FROM ${this.table} WHERE state IN ('pending', 'parked') GROUP BY state`),
    );
    const counts: DeliveryCounts = { pending: 0, parked: 0, oldestPendingAgeMs: 0 };
    for (const row of rowsOf(rows)) {
      if (row.state === 'pending') {
        counts.pending = Number(row.count);
        counts.oldestPendingAgeMs = Math.max(0, Date.now() - Number(row.oldest));
      } else if (row.state === 'parked') counts.parked = Number(row.count);
    }
    return counts;
  }

  /**
   * One statement that writes. PostgreSQL: on its own (a single statement is atomic), one round
   * trip. SQLite: in a write transaction, queued with the engine's and taking the write lock
   * without blocking the event loop.
   */
  private write(query: string, parameters: unknown[] = []): Promise<unknown> {
    if (this.dialect.kind === 'postgres') return this.dataSource.query(query, parameters);
    return this.transaction((manager) => manager.query(query, parameters));
  }

  private transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dialect.transaction(this.dataSource, this.checkpointTable, work);
  }

  /** `?` placeholders, numbered for PostgreSQL. */
  private sql(text: string): string {
    if (this.dialect.kind !== 'postgres') return text;
    let index = 0;
    return text.replace(/\?/g, () => `$${++index}`);
  }
}

type RawRow = Record<string, unknown>;

/** PostgreSQL answers an UPDATE … RETURNING with [rows, count]; SQLite with the rows. */
function rowsOf(raw: unknown): RawRow[] {
  if (Array.isArray(raw) && raw.length === 2 && Array.isArray(raw[0]) && typeof raw[1] === 'number') return raw[0] as RawRow[];
  return Array.isArray(raw) ? (raw as RawRow[]) : [];
}

const numberOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

function toRow(raw: RawRow): DeliveryRow {
  return {
    id: Number(raw.id),
    instanceId: String(raw.instance_id),
    eventId: String(raw.event_id),
    eventType: String(raw.event_type),
    targetId: String(raw.target_id),
    chainIndex: Number(raw.chain_index),
    eventPosition: Number(raw.event_position),
    requestId: raw.request_id === null || raw.request_id === undefined ? null : String(raw.request_id),
    body: String(raw.body),
    interruptOnError: Number(raw.interrupt_on_error),
    state: raw.state as DeliveryState,
    attempts: Number(raw.attempts),
    createdAt: Number(raw.created_at),
    nextAttemptAt: Number(raw.next_attempt_at),
    claimedBy: raw.claimed_by === null || raw.claimed_by === undefined ? null : String(raw.claimed_by),
    claimUntil: numberOrNull(raw.claim_until),
    lastError: raw.last_error === null || raw.last_error === undefined ? null : String(raw.last_error),
    finishedAt: numberOrNull(raw.finished_at),
  };
}
