import type { DataSource } from 'typeorm';

interface ExistingColumn {
  table_schema: string;
  table_name: string;
  column_name: string;
  character_maximum_length: number | null;
}

/**
 * PostgreSQL: lengthens every existing `varchar(n)` column whose entity now declares a longer
 * length, in place. TypeORM's synchronisation would instead drop and re-add such a column,
 * which loses its values and fails on a table with rows when the column is NOT NULL. Widening
 * a varchar keeps every value and, in PostgreSQL, rewrites nothing. SQLite ignores lengths.
 */
export async function widenVarcharColumns(dataSource: DataSource): Promise<void> {
  if (dataSource.options.type !== 'postgres') return;
  const defaultSchema = (dataSource.options.schema ?? 'public') as string;
  for (const metadata of dataSource.entityMetadatas) {
    const schema = metadata.schema ?? defaultSchema;
    const declared = metadata.columns.filter((column) => column.type === 'varchar' && column.length !== '');
    if (declared.length === 0) continue;
    const existing: ExistingColumn[] = await dataSource.query(
      `SELECT table_schema, table_name, column_name, character_maximum_length FROM information_schema.columns
        WHERE table_schema = $1 AND table_name = $2 AND data_type = 'character varying'`,
      [schema, metadata.tableName],
    );
    for (const column of declared) {
      const wanted = Number(column.length);
      const current = existing.find((row) => row.column_name === column.databaseName)?.character_maximum_length;
      if (current === null || current === undefined || current >= wanted) continue;
      const table = `${dataSource.driver.escape(schema)}.${dataSource.driver.escape(metadata.tableName)}`;
      await dataSource.query(`ALTER TABLE ${table} ALTER COLUMN ${dataSource.driver.escape(column.databaseName)} TYPE varchar(${wanted})`);
    }
  }
}
