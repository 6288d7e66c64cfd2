import { DataSource, type DataSourceOptions } from 'typeorm';
import { dialectOf } from './database-dialect';
import { widenTextColumns } from './widen-text-columns';
import type { EntityTarget } from './projection';

/**
 * Creates (or alters) the tables of exactly `entities` with TypeORM's schema synchronisation,
 * leaving every other table of the database alone.
 *
 * Why synchronise rather than migrate: read-model tables are derived data. When their shape
 * changes incompatibly the projection is reset and rebuilt from the log, so there is no data
 * to migrate, and a projection author only declares entities.
 *
 * TypeORM synchronises all entities of a DataSource at once, so a short-lived DataSource with
 * the same connection options and only these entities does the work. It cannot reach an
 * in-memory SQLite database (which is private to its connection).
 */
export async function synchronizeEntities(dataSource: DataSource, entities: readonly EntityTarget[]): Promise<void> {
  const options = dataSource.options;
  if (options.type === 'better-sqlite3' && (options.database === ':memory:' || options.database === '')) {
    throw new Error('The projection engine needs a file-backed SQLite read model (in-memory databases are per connection)');
  }
  const syncOptions = {
    ...options,
    entities: [...entities],
    synchronize: false,
    migrationsRun: false,
    migrations: [],
    subscribers: [],
    dropSchema: false,
    logging: false,
  } as DataSourceOptions;
  const syncSource = new DataSource(syncOptions);
  await syncSource.initialize();
  try {
    await dialectOf(dataSource).withSchemaLock(dataSource, async () => {
      await widenTextColumns(syncSource);
      await syncSource.synchronize();
    });
  } finally {
    await syncSource.destroy();
  }
}
