import type BetterSqlite3 from 'better-sqlite3';
import type { EntityManager } from 'typeorm';

/**
 * better-sqlite3 waits for a locked database inside SQLite's busy handler, i.e. synchronously,
 * with the whole event loop frozen for up to `busy_timeout` (5 s by default). When another
 * process holds the read model's write lock (a rebuild switching tables, a second replica),
 * the engine must not freeze the service for that long. So it asks for the lock with a zero
 * busy timeout and, when the database is busy, retries asynchronously: timers, requests and
 * reads of this process keep running meanwhile.
 */

/** The better-sqlite3 connection behind a TypeORM manager of a better-sqlite3 DataSource. */
export function nativeSqliteConnection(manager: EntityManager): BetterSqlite3.Database {
  const driver = manager.connection.driver as unknown as { databaseConnection?: BetterSqlite3.Database };
  if (!driver.databaseConnection) throw new Error('The read-model DataSource has no open better-sqlite3 connection');
  return driver.databaseConnection;
}

/**
 * Runs a write statement on `connection` without waiting for a busy database: throws a
 * SQLITE_BUSY error at once instead. The connection's own busy timeout is restored afterwards
 * (statements run synchronously, so nothing else runs on the connection in between).
 */
export function writeWithoutWaiting(connection: BetterSqlite3.Database, sql: string, ...params: unknown[]): void {
  const previous = connection.pragma('busy_timeout', { simple: true });
  connection.pragma('busy_timeout = 0');
  try {
    connection.prepare(sql).run(...params);
  } finally {
    connection.pragma(`busy_timeout = ${Number(previous) || 0}`);
  }
}

/** Any write statement takes the database write lock when it starts, even one that changes no row. */
export function takeWriteLockWithoutWaiting(manager: EntityManager, lockTable: string): void {
  writeWithoutWaiting(nativeSqliteConnection(manager), `UPDATE ${lockTable} SET name = name WHERE 0`);
}

/**
 * SQLITE_BUSY and its extended codes, raw or wrapped in TypeORM's QueryFailedError. Duck-typed:
 * the native module may create its errors from another realm's Error (e.g. under Jest), where
 * `instanceof Error` is false.
 */
export function isSqliteBusy(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; typeof current === 'object' && current !== null && depth < 4; depth += 1) {
    const { code, driverError, cause } = current as { code?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return true;
    current = driverError ?? cause;
  }
  return false;
}

/** How long to keep retrying, and the pause bounds between attempts. */
export interface BusyRetry {
  waitMs: number;
  initialPauseMs?: number;
  maxPauseMs?: number;
}

/**
 * Runs `job` again while it fails because the database is busy, pausing asynchronously between
 * attempts (doubling from 2 ms to 50 ms), until it succeeds, fails otherwise, or `waitMs` has
 * passed (then the last busy error is thrown). `job` must be safe to repeat: a transaction that
 * failed to take the lock has changed nothing.
 */
export async function retryWhileBusy<T>(job: () => Promise<T>, retry: BusyRetry): Promise<T> {
  const deadline = Date.now() + retry.waitMs;
  let pauseMs = retry.initialPauseMs ?? 2;
  const maxPauseMs = retry.maxPauseMs ?? 50;
  for (;;) {
    try {
      return await job();
    } catch (error) {
      if (!isSqliteBusy(error) || Date.now() >= deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    pauseMs = Math.min(pauseMs * 2, maxPauseMs);
  }
}
