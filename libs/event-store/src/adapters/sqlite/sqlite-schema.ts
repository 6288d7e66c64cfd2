/**
 * Table layout and statements of the SQLite event store.
 *
 * `position` is the rowid (INTEGER PRIMARY KEY), so reading the log in order is a walk of
 * the table's own b-tree. created_at holds epoch milliseconds; data and metadata hold JSON text.
 *
 * No type or tenant index: filtered reads scan a bounded window in position order (see
 * FILTER below), which the rowid serves; secondary indexes would not make those windows
 * cheaper but would cost every append a page write each.
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS events (
  position   INTEGER PRIMARY KEY,
  id         TEXT    NOT NULL,
  stream     TEXT    NOT NULL,
  revision   INTEGER NOT NULL,
  type       TEXT    NOT NULL,
  data       TEXT    NOT NULL,
  metadata   TEXT    NOT NULL,
  tenant     TEXT    NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS events_id ON events (id);
CREATE UNIQUE INDEX IF NOT EXISTS events_stream_revision ON events (stream, revision);
`;

const COLUMNS = 'position, id, stream, type, revision, data, metadata, tenant, created_at';

/**
 * A LIMIT given as a bare parameter is read by SQLite when the statement is prepared, and binding
 * that parameter again expires the statement, so every call of it would be compiled anew (about
 * 8 µs, more than the indexed read it limits). An expression of the parameter is evaluated when
 * the statement runs instead, with the same result for every integer.
 */
const limit = (parameter: string): string => `LIMIT ${parameter} + 0`;

/**
 * A filtered read scans one bounded window of the log ([from, end]) so its cost does not
 * depend on how rare the matching events are; the caller continues after `end`.
 * Type lists arrive as JSON arrays (one statement for any number of types). Columns are
 * qualified because json_each has a column named `type` too.
 */
const FILTER = `
  (@tenant IS NULL OR e.tenant = @tenant)
  AND (
    (@types IS NULL AND @prefixes IS NULL)
    OR (@types IS NOT NULL AND e.type IN (SELECT value FROM json_each(@types)))
    OR (@prefixes IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(@prefixes) AS p WHERE substr(e.type, 1, length(p.value)) = p.value))
  )`;

export const SQL = {
  lastRevision: 'SELECT max(revision) FROM events WHERE stream = ?',
  insert: `INSERT INTO events (id, stream, revision, type, data, metadata, tenant, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  readAll: `SELECT ${COLUMNS} FROM events WHERE position >= ? ORDER BY position ${limit('?')}`,
  windowEnd: 'SELECT position FROM events WHERE position >= ? ORDER BY position LIMIT 1 OFFSET ?',
  maxPosition: 'SELECT max(position) FROM events',
  readFiltered: `SELECT ${COLUMNS} FROM events AS e WHERE position >= @from AND position <= @end AND ${FILTER} ORDER BY position ${limit('@limit')}`,
  readStreamForwards: `SELECT ${COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision ASC ${limit('?')}`,
  readStreamBackwards: `SELECT ${COLUMNS} FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC ${limit('?')}`,
  headPosition: 'SELECT coalesce(max(position), 0) FROM events',
  findIds: 'SELECT id, stream, revision, position, created_at FROM events WHERE id IN (SELECT value FROM json_each(?))',
  findId: 'SELECT stream, revision FROM events WHERE id = ?',
  idStored: 'SELECT 1 FROM events WHERE id = ?',
} as const;
