/**
 * SQL of the PostgreSQL event store, schema-qualified.
 *
 * Positions: `(xid + xid_offset) * 65536 + index within the append`, where xid is the
 * appending transaction's id (pg_current_xact_id(), 64-bit, never wraps). A reader only
 * reads below `(horizon + xid_offset) * 65536`, the horizon being the oldest transaction of
 * its snapshot that is still running in this database (or the snapshot's xmax when there is
 * none): every transaction of this database below it has finished, so no event can ever
 * appear below that horizon later, and a reader that checkpoints on a position never skips one.
 *
 * `xid_offset` is 0 on a fresh database. A logical restore into another cluster restarts
 * transaction ids lower than the ones baked into stored positions; init() then raises the
 * offset so new positions stay above every stored one.
 *
 * Indexes: the primary key (position) serves readAll, unique (stream, revision) serves
 * readStream and optimistic concurrency, unique (id) idempotent retries. Filtered reads scan
 * a bounded window in position order, so type or tenant indexes would only slow appends.
 */
import { createHash } from 'node:crypto';

/** Bits of a position that number the events of one append. */
export const POSITION_SHIFT = 65536;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`Invalid PostgreSQL schema name: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/** Expected-revision modes as the append statement receives them. */
export const EXPECTATION_MODE = { any: 0, no_stream: 1, stream_exists: 2, revision: 3 } as const;

export type PostgresSql = ReturnType<typeof buildSql>;

export interface SqlOptions {
  /**
   * application_name values of sessions that never append to this store (the read model's
   * pool, say): their transactions do not hold the read horizon back.
   */
  nonAppendingApplications?: readonly string[];
}

const APPLICATION_NAME = /^[A-Za-z0-9_.:@-]{1,63}$/;

/** Whether `name` can be listed as a non-appending application (it goes into SQL as a literal). */
export function isHorizonApplicationName(name: string): boolean {
  return APPLICATION_NAME.test(name);
}

function sqlStringList(values: readonly string[]): string {
  for (const value of values) {
    if (!APPLICATION_NAME.test(value)) throw new Error(`Invalid application name for the read horizon: ${JSON.stringify(value)}`);
  }
  return values.map((value) => `'${value}'`).join(', ');
}

export function buildSql(schema: string, options: SqlOptions = {}) {
  const s = quoteIdentifier(schema);
  const events = `${s}.events`;
  const settings = `${s}.event_log_settings`;
  // Statement names are per connection; the schema hash keeps two stores on one client apart.
  const prefix = `es_${createHash('sha1').update(schema).digest('hex').slice(0, 10)}_`;
  // The read horizon: the oldest transaction of the statement's snapshot that may still add
  // events. Transactions known to run in another database of the cluster cannot write this
  // table, so they do not hold readers back (a long job elsewhere on a shared server would
  // otherwise stall every projection); nor do sessions declared as never appending (the
  // read model's own batch transactions would otherwise delay every read). Anything unknown — a backend that has finished since
  // the snapshot, a prepared transaction, a session whose database is hidden — counts, so the
  // horizon errs towards waiting, never towards skipping. pg_stat_activity shows 32-bit xids,
  // matched against the low 32 bits of the snapshot's 64-bit ones (running xids are unique).
  const horizon = `(SELECT (least(
      pg_snapshot_xmax(q.snap)::text::bigint,
      (SELECT min(x::text::bigint) FROM pg_snapshot_xip(q.snap) AS x
        WHERE NOT EXISTS (
          SELECT 1 FROM pg_stat_activity a
          WHERE a.backend_xid IS NOT NULL AND a.backend_xid::text::bigint = x::text::bigint % 4294967296
            AND a.datname IS NOT NULL
            AND (a.datname <> current_database()${
              options.nonAppendingApplications?.length ? ` OR a.application_name IN (${sqlStringList(options.nonAppendingApplications)})` : ''
            })))
    ) + xid_offset) * ${POSITION_SHIFT}
    FROM ${settings}, (SELECT pg_current_snapshot() AS snap) AS q)`;
  const millis = (column: string) => `floor(extract(epoch FROM ${column}) * 1000)::float8`;
  const columns = `position, id::text AS id, stream, type, revision, data, metadata, tenant, ${millis('created_at')} AS created_ms`;
  const filter = `($2::text IS NULL OR e.tenant = $2)
    AND (($3::text[] IS NULL AND $4::text[] IS NULL) OR e.type = ANY($3::text[]) OR e.type LIKE ANY($4::text[]))`;

  // A subscription's page also says whether committed events wait at or above the horizon,
  // judged in the page's own snapshot and round trip: `h` holds the horizon once per statement.
  // max(position) is one step down the primary key; an EXISTS over `position >= horizon` is
  // planned as a scan of the whole log (the bound is unknown when the plan is made).
  const horizonCte = (live: boolean) => `h AS MATERIALIZED (
      SELECT x.pos, ${live ? `coalesce((SELECT max(position) FROM ${events}) >= x.pos, false)` : 'false'} AS held FROM (SELECT ${horizon} AS pos) x
    )`;
  const readFiltered = (live: boolean) => `WITH ${horizonCte(live)}, w AS MATERIALIZED (
          SELECT position FROM ${events}, h WHERE position >= $1 AND position < h.pos ORDER BY position LIMIT $5
        ), bound AS (SELECT max(position) AS last, count(*) AS scanned FROM w)
        SELECT bound.last AS window_last, bound.scanned AS window_size, h.held, m.*
        FROM h, bound LEFT JOIN LATERAL (
          SELECT ${columns} FROM ${events} e
          WHERE e.position >= $1 AND e.position <= bound.last AND ${filter}
          ORDER BY e.position LIMIT $6
        ) m ON true`;

  return {
    schema: [
      `CREATE SCHEMA IF NOT EXISTS ${s}`,
      `CREATE TABLE IF NOT EXISTS ${events} (
        position   bigint      PRIMARY KEY,
        id         uuid        NOT NULL,
        stream     text        NOT NULL,
        revision   bigint      NOT NULL,
        type       text        NOT NULL,
        data       json        NOT NULL,
        metadata   json        NOT NULL,
        tenant     text        NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT events_id_key UNIQUE (id),
        CONSTRAINT events_stream_revision_key UNIQUE (stream, revision)
      )`,
      `CREATE TABLE IF NOT EXISTS ${settings} (
        singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        xid_offset bigint  NOT NULL
      )`,
      `INSERT INTO ${settings} (xid_offset) VALUES (0) ON CONFLICT DO NOTHING`,
      // Keeps new positions above stored ones after a restore into a cluster with lower xids.
      `UPDATE ${settings} SET xid_offset = greatest(
         xid_offset,
         (SELECT coalesce(max(position), -1) FROM ${events}) / ${POSITION_SHIFT} - pg_current_xact_id()::text::bigint + 1)`,
    ],
    initLockKey: `event-store:${schema}`,

    /**
     * One round trip: reads the stream's last revision, checks the expectation and inserts
     * the batch ($2, a JSON array) in one autocommit statement. Returns the revision found
     * and, when the expectation held, the last position written.
     */
    append: {
      name: `${prefix}append`,
      text: `WITH ctx AS MATERIALIZED (
          SELECT (SELECT max(revision) FROM ${events} WHERE stream = $1) AS current,
                 (pg_current_xact_id()::text::bigint + (SELECT xid_offset FROM ${settings})) * ${POSITION_SHIFT} AS base,
                 clock_timestamp() AS ts
        ), ins AS (
          INSERT INTO ${events} (position, id, stream, revision, type, data, metadata, tenant, created_at)
          SELECT ctx.base + b.ord - 1, b.id, $1, coalesce(ctx.current, -1) + b.ord,
                 b.type, b.data, b.metadata, b.tenant, ctx.ts
          FROM ctx, ROWS FROM (json_to_recordset($2::json) AS (id uuid, type text, data json, metadata json, tenant text))
                    WITH ORDINALITY AS b(id, type, data, metadata, tenant, ord)
          WHERE CASE $3::int WHEN 0 THEN true
                             WHEN 1 THEN ctx.current IS NULL
                             WHEN 2 THEN ctx.current IS NOT NULL
                             ELSE ctx.current = $4::bigint END
          RETURNING position
        )
        SELECT ctx.current, (SELECT max(position) FROM ins) AS position, ${millis('ctx.ts')} AS created_ms FROM ctx`,
    },
    /**
     * Group commit: several appends ($1, a JSON array in the order they were made, at most one
     * per stream and no id in two of them) in one autocommit statement, so one round trip and
     * one WAL flush. Each append is judged on its own: its ids (when the caller chose some)
     * must not be stored yet, and its stream's last revision must meet its expectation; the
     * appends that pass are inserted, the others write nothing. Positions come from this
     * transaction's id, each append's events numbered from its `first` offset within the group.
     * Returns one row per append (`n`, its 1-based place in $1): the revision found, whether its ids were taken,
     * whether it was stored, and the group's base position and time.
     */
    appendGroup: {
      name: `${prefix}append_group`,
      text: `WITH a AS MATERIALIZED (
          SELECT a.n, a.stream, a.mode, a.expected, a.first, a.events,
                 (SELECT max(revision) FROM ${events} e WHERE e.stream = a.stream) AS current,
                 a.check_ids AND EXISTS (
                   SELECT 1 FROM json_to_recordset(a.events) AS x(id uuid) JOIN ${events} e ON e.id = x.id
                 ) AS ids_taken
          FROM ROWS FROM (json_to_recordset($1::json) AS (stream text, mode int, expected bigint, check_ids boolean, first int, events json))
               WITH ORDINALITY AS a(stream, mode, expected, check_ids, first, events, n)
        ), ok AS MATERIALIZED (
          SELECT a.* FROM a
          WHERE NOT a.ids_taken
            AND CASE a.mode WHEN 0 THEN true
                            WHEN 1 THEN a.current IS NULL
                            WHEN 2 THEN a.current IS NOT NULL
                            ELSE a.current = a.expected END
        ), ctx AS MATERIALIZED (
          SELECT (pg_current_xact_id()::text::bigint + (SELECT xid_offset FROM ${settings})) * ${POSITION_SHIFT} AS base, clock_timestamp() AS ts
        ), ins AS (
          INSERT INTO ${events} (position, id, stream, revision, type, data, metadata, tenant, created_at)
          SELECT ctx.base + ok.first + b.ord - 1, b.id, ok.stream, coalesce(ok.current, -1) + b.ord,
                 b.type, b.data, b.metadata, b.tenant, ctx.ts
          FROM ctx, ok, ROWS FROM (json_to_recordset(ok.events) AS (id uuid, type text, data json, metadata json, tenant text))
                        WITH ORDINALITY AS b(id, type, data, metadata, tenant, ord)
        )
        SELECT a.n, a.current, a.ids_taken, ok.n IS NOT NULL AS stored, ctx.base, ${millis('ctx.ts')} AS created_ms
        FROM a CROSS JOIN ctx LEFT JOIN ok ON ok.n = a.n`,
    },
    lastRevision: { name: `${prefix}last_revision`, text: `SELECT max(revision) AS current FROM ${events} WHERE stream = $1` },
    /** Where the given ids ($1) are stored, for an import batch. */
    importStoredIds: { name: `${prefix}import_ids`, text: `SELECT id::text AS id, stream, revision FROM ${events} WHERE id = ANY($1::uuid[])` },
    /** The last revision of each of the given streams ($1), null for a stream with no events. */
    importLastRevisions: {
      name: `${prefix}import_last`,
      text: `SELECT s.stream, (SELECT max(revision) FROM ${events} e WHERE e.stream = s.stream) AS last FROM unnest($1::text[]) AS s(stream)`,
    },
    /**
     * Inserts an import batch ($1, a JSON array) as it is: ids, streams, revisions and times
     * given, positions from this transaction's id in batch order. The unique constraints refuse
     * it whole if another writer took one of its revisions or ids since the batch was checked.
     */
    importInsert: {
      name: `${prefix}import_insert`,
      text: `WITH ctx AS MATERIALIZED (
          SELECT (pg_current_xact_id()::text::bigint + xid_offset) * ${POSITION_SHIFT} AS base FROM ${settings}
        )
        INSERT INTO ${events} (position, id, stream, revision, type, data, metadata, tenant, created_at)
        SELECT ctx.base + b.ord - 1, b.id, b.stream, b.revision, b.type, b.data, b.metadata, b.tenant, b.created_at
        FROM ctx, ROWS FROM (json_to_recordset($1::json) AS (id uuid, stream text, revision bigint, type text, data json, metadata json, tenant text, created_at timestamptz))
                  WITH ORDINALITY AS b(id, stream, revision, type, data, metadata, tenant, created_at, ord)`,
    },
    findIds: {
      name: `${prefix}find_ids`,
      text: `SELECT id::text AS id, stream, revision, position, ${millis('created_at')} AS created_ms FROM ${events} WHERE id = ANY($1::uuid[])`,
    },
    readAll: {
      name: `${prefix}read_all`,
      text: `SELECT ${columns} FROM ${events} WHERE position >= $1 AND position < ${horizon} ORDER BY position LIMIT $2`,
    },
    /**
     * A subscription's page: readAll's, plus whether committed events wait at or above the
     * horizon (`held`, on every row), judged in the same snapshot and in the same round trip.
     * Always returns at least one row; an empty page's row has a null position.
     */
    readAllLive: {
      name: `${prefix}read_all_live`,
      text: `WITH ${horizonCte(true)}
        SELECT h.held, p.* FROM h LEFT JOIN LATERAL (
          SELECT ${columns} FROM ${events} WHERE position >= $1 AND position < h.pos ORDER BY position LIMIT $2
        ) p ON true ORDER BY p.position`,
    },
    /**
     * Filtered page: looks at no more than $5 log entries from $1 (the window), so the cost
     * does not depend on how rare matching events are. Always returns at least one row, which
     * carries the window's last position and size even when nothing matched.
     */
    readFiltered: { name: `${prefix}read_filtered`, text: readFiltered(false) },
    /** A subscription's filtered page, with `held` as in readAllLive. */
    readFilteredLive: { name: `${prefix}read_filtered_live`, text: readFiltered(true) },
    headPosition: { name: `${prefix}head`, text: `SELECT coalesce(max(position), 0) AS head FROM ${events} WHERE position < ${horizon}` },
    readStreamForwards: {
      name: `${prefix}stream_fwd`,
      text: `SELECT ${columns} FROM ${events} WHERE stream = $1 AND revision >= $2 ORDER BY revision LIMIT $3`,
    },
    readStreamBackwards: {
      name: `${prefix}stream_bwd`,
      text: `SELECT ${columns} FROM ${events} WHERE stream = $1 AND revision <= $2 ORDER BY revision DESC LIMIT $3`,
    },
    /** The latest event of each stream of $1 (none for a stream without events): one index step each. */
    readLatestOfStreams: {
      name: `${prefix}stream_latest`,
      text: `SELECT e.* FROM unnest($1::text[]) AS s(stream)
        CROSS JOIN LATERAL (SELECT ${columns} FROM ${events} WHERE stream = s.stream ORDER BY revision DESC LIMIT 1) e`,
    },
  };
}

/** `LIKE` pattern matching strings that start with `prefix`. */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}
