import { resolve } from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import { ProjectionStateEntity } from './projection-state.entity';
import { SerialQueue } from './serial-queue';

/**
 * What differs between the read-model databases the engine supports: how a batch takes the
 * per-projection lock, and whether batches must be serialised inside this process.
 */
export interface DatabaseDialect {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Inside the batch transaction: waits for exclusive ownership of the projection's state
   * row, then returns the checkpoint as committed by whoever held it before (undefined when
   * the row does not exist).
   */
  lockCheckpoint(manager: EntityManager, stateTable: string, name: string): Promise<number | undefined>;
  /** Runs a whole batch transaction; serialises it where the driver requires. */
  exclusive<T>(job: () => Promise<T>): Promise<T>;
  /** Runs a schema change so that engines starting together do not create a table twice. */
  withSchemaLock<T>(dataSource: DataSource, job: () => Promise<T>): Promise<T>;
}

/** The engine's state table, schema-qualified and quoted for raw SQL. */
export function stateTablePath(dataSource: DataSource): string {
  return dataSource
    .getMetadata(ProjectionStateEntity)
    .tablePath.split('.')
    .map((part) => dataSource.driver.escape(part))
    .join('.');
}

export function dialectOf(dataSource: DataSource): DatabaseDialect {
  const options = dataSource.options;
  switch (options.type) {
    case 'postgres':
      return postgresDialect;
    case 'better-sqlite3':
      return sqliteDialect(options.database);
    default:
      throw new Error(`The projection engine supports better-sqlite3 and postgres read models, not ${options.type}`);
  }
}

const postgresDialect: DatabaseDialect = {
  kind: 'postgres',
  async lockCheckpoint(manager, stateTable, name) {
    // FOR UPDATE waits for a concurrent batch to commit and then returns the row it committed,
    // so a second replica continues after that batch instead of re-applying it.
    const rows: Array<{ position: string | number }> = await manager.query(
      `SELECT position FROM ${stateTable} WHERE name = $1 FOR UPDATE`,
      [name],
    );
    return rows.length === 0 ? undefined : Number(rows[0].position);
  },
  exclusive: (job) => job(),
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
 * write lock, taken by the first statement of the batch, does the job.
 */
const sqliteQueues = new Map<string, SerialQueue>();

function sqliteDialect(database: string): DatabaseDialect {
  const key = database === ':memory:' || database === '' ? database : resolve(database);
  let queue = sqliteQueues.get(key);
  if (!queue) {
    queue = new SerialQueue();
    sqliteQueues.set(key, queue);
  }
  const serial = queue;
  return {
    kind: 'sqlite',
    async lockCheckpoint(manager, stateTable, name) {
      // TypeORM opens a deferred transaction; writing first turns it into a write transaction
      // (BEGIN IMMEDIATE semantics) so the checkpoint below is read under the write lock.
      await manager.query(`UPDATE ${stateTable} SET name = name WHERE name = ?`, [name]);
      const rows: Array<{ position: number | string }> = await manager.query(
        `SELECT position FROM ${stateTable} WHERE name = ?`,
        [name],
      );
      return rows.length === 0 ? undefined : Number(rows[0].position);
    },
    exclusive: (job) => serial.run(job),
    // Schema changes are write transactions too: the same in-process queue keeps them apart.
    withSchemaLock: (_dataSource, job) => serial.run(job),
  };
}
