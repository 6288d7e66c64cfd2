import type { DataSource } from 'typeorm';

interface ExistingColumn {
  column_name: string;
  character_maximum_length: number | null;
}

/**
 * PostgreSQL: lengthens, in place, every existing `varchar(n)` column whose entity now
 * declares a longer varchar or `text`. TypeORM's synchronisation would instead drop and re-add
 * such a column, which loses its values and fails on a table with rows when the column is
 * NOT NULL. Widening keeps every value and rewrites nothing. SQLite ignores lengths.
 */
export async function widenTextColumns(dataSource: DataSource): Promise<void> {
  if (dataSource.options.type !== 'postgres') return;
  const defaultSchema = (dataSource.options.schema ?? 'public') as string;
  for (const metadata of dataSource.entityMetadatas) {
    const schema = metadata.schema ?? defaultSchema;
    const declared = metadata.columns.filter((column) => column.type === 'text' || (column.type === 'varchar' && column.length !== ''));
    if (declared.length === 0) continue;
    const existing: ExistingColumn[] = await dataSource.query(
      `SELECT column_name, character_maximum_length FROM information_schema.columns
        WHERE table_schema = $1 AND table_name = $2 AND data_type = 'character varying'`,
      [schema, metadata.tableName],
    );
    for (const column of declared) {
      const current = existing.find((row) => row.column_name === column.databaseName)?.character_maximum_length;
      if (current === null || current === undefined) continue;
      const wanted = column.type === 'text' ? 'text' : `varchar(${Number(column.length)})`;
      if (column.type === 'varchar' && current >= Number(column.length)) continue;
      const table = `${dataSource.driver.escape(schema)}.${dataSource.driver.escape(metadata.tableName)}`;
      await dataSource.query(`ALTER TABLE ${table} ALTER COLUMN ${dataSource.driver.escape(column.databaseName)} TYPE ${wanted}`);
    }
  }
}
