import { resolve } from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import type { EntityTarget } from './projection';
import { ProjectionStateEntity } from './projection-state.entity';
import { SerialQueue } from './serial-queue';
import { retryWhileBusy, takeWriteLockWithoutWaiting } from './sqlite-write-lock';

/**
 * What differs between the read-model databases the engine supports: how a batch takes the
 * per-projection lock, and whether batches must be serialised inside this process.
 */
export interface DatabaseDialect {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Inside a {@link transaction}: waits for exclusive ownership of the row `name` of a
   * checkpoint table (columns `name`, `position`), then returns its position as committed by
   * whoever held it before (undefined when the row does not exist).
   */
  lockCheckpoint(manager: EntityManager, table: string, name: string): Promise<number | undefined>;
  /** Runs a job that uses the DataSource's connection; serialises it where the driver requires. */
  exclusive<T>(job: () => Promise<T>): Promise<T>;
  /**
   * Runs `work` in a write transaction. SQLite: queued like {@link exclusive}; the database
   * write lock is taken first (by a write to `lockTable`, a table with a `name` column) without
   * blocking the event loop, and the whole transaction is retried asynchronously while another
   * connection holds the lock. PostgreSQL: a plain transaction (row locks wait asynchronously).
   */
  transaction<T>(dataSource: DataSource, lockTable: string, work: (manager: EntityManager) => Promise<T>): Promise<T>;
  /** Runs a schema change so that engines starting together do not create a table twice. */
  withSchemaLock<T>(dataSource: DataSource, job: () => Promise<T>): Promise<T>;
}

/** The engine's state table, schema-qualified and quoted for raw SQL. */
export function stateTablePath(dataSource: DataSource): string {
  return quotedTablePath(dataSource, ProjectionStateEntity);
}

/** An entity's table as the DataSource addresses it (schema-qualified when it has a schema), quoted for raw SQL. */
export function quotedTablePath(dataSource: DataSource, entity: EntityTarget): string {
  return quotedPath(dataSource, dataSource.getMetadata(entity).tablePath);
}

/** A table path (`schema.table` or `table`) with every part quoted. */
export function quotedPath(dataSource: DataSource, path: string): string {
  return path
    .split('.')
    .map((part) => dataSource.driver.escape(part))
    .join('.');
}

export interface DialectOptions {
  /**
   * SQLite: how long a write transaction keeps retrying while another connection holds the
   * database write lock, before it fails with the busy error. Default 10 s.
   */
  sqliteLockWaitMs?: number;
}

export function dialectOf(dataSource: DataSource, options: DialectOptions = {}): DatabaseDialect {
  const dataSourceOptions = dataSource.options;
  switch (dataSourceOptions.type) {
    case 'postgres':
      return postgresDialect;
    case 'better-sqlite3':
      return sqliteDialect(dataSourceOptions.database, options.sqliteLockWaitMs ?? 10_000);
    default:
      throw new Error(`The projection engine supports better-sqlite3 and postgres read models, not ${dataSourceOptions.type}`);
  }
}

const postgresDialect: DatabaseDialect = {
  kind: 'postgres',
  async lockCheckpoint(manager, table, name) {
    // FOR UPDATE waits for a concurrent batch to commit and then returns the row it committed,
    // so a second replica continues after that batch instead of re-applying it.
    const rows: Array<{ position: string | number }> = await manager.query(`SELECT position FROM ${table} WHERE name = $1 FOR UPDATE`, [name]);
    return rows.length === 0 ? undefined : Number(rows[0].position);
  },
  exclusive: (job) => job(),
  transaction: (dataSource, _lockTable, work) => dataSource.transaction(work),
  async withSchemaLock(dataSource, job) {
    // A session-level advisory lock held on its own connection serialises replicas.
    const runner = dataSource.createQueryRunner();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK_KEY]);
      try {
        return await job();
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [SCHEMA_LOCK_KEY]);
      }
    } finally {
      await runner.release();
    }
  },
};

/** Arbitrary constant naming the advisory lock that serialises schema changes. */
const SCHEMA_LOCK_KEY = 7_243_118_902;

/**
 * better-sqlite3 gives TypeORM one connection per DataSource and waits for a busy database
 * synchronously, blocking the event loop. Batches on the same database file are therefore
 * queued in-process (two transactions must not interleave on one connection, and a batch
 * waiting on SQLite's lock would freeze the batch holding it); across processes SQLite's own
 * write lock, taken by the first statement of the transaction without waiting (retried
 * asynchronously while busy, see sqlite-write-lock.ts), does the job.
 */
const sqliteQueues = new Map<string, SerialQueue>();

function sqliteDialect(database: string, lockWaitMs: number): DatabaseDialect {
  const key = database === ':memory:' || database === '' ? database : resolve(database);
  let queue = sqliteQueues.get(key);
  if (!queue) {
    queue = new SerialQueue();
    sqliteQueues.set(key, queue);
  }
  const serial = queue;
  return {
    kind: 'sqlite',
    async lockCheckpoint(manager, table, name) {
      // transaction() already holds the database write lock, so this row cannot change under us.
      const rows: Array<{ position: number | string }> = await manager.query(`SELECT position FROM ${table} WHERE name = ?`, [name]);
      return rows.length === 0 ? undefined : Number(rows[0].position);
    },
    exclusive: (job) => serial.run(job),
    transaction: (dataSource, lockTable, work) =>
      serial.run(() =>
        retryWhileBusy(
          () =>
            dataSource.transaction((manager) => {
              // TypeORM opens a deferred transaction; writing first turns it into a write
              // transaction (BEGIN IMMEDIATE semantics), so everything after it is read under the lock.
              takeWriteLockWithoutWaiting(manager, lockTable);
              return work(manager);
            }),
          { waitMs: lockWaitMs },
        ),
      ),
    // Schema changes are write transactions too: the same in-process queue keeps them apart.
    withSchemaLock: (_dataSource, job) => serial.run(job),
  };
}
