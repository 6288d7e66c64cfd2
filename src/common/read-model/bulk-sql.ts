import type { EntityManager, EntitySchema } from 'typeorm';

/** Host parameters per statement: well under SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_PARAMETERS = 10_000;
/** Rows per SQLite statement at most (a power of two, see BulkSql.chunks). */
const MAX_SQLITE_ROWS = 256;

type Entity = EntitySchema;

/**
 * Set-based statements on a projection's tables, for reducing a whole batch of events in a few
 * statements. Tables and columns are addressed through the entity metadata of `manager`, so
 * the same code writes into a rebuild's namespace; values are always bound (TypeORM's query
 * builder inlines numbers on SQLite, which makes every statement new text to prepare).
 * Runs on better-sqlite3 and PostgreSQL, the read-model databases the engine supports.
 */
export class BulkSql {
  private readonly postgres: boolean;

  constructor(private readonly manager: EntityManager) {
    this.postgres = manager.connection.options.type === 'postgres';
  }

  /** Deletes the rows whose `columns` (entity property names) equal one of `keys`. */
  async deleteByKeys(entity: Entity, columns: readonly string[], keys: readonly (readonly unknown[])[]): Promise<void> {
    if (keys.length === 0) return;
    const names = this.columnNames(entity, columns).join(', ');
    for (const chunk of this.chunks(keys, columns.length)) {
      const values: unknown[] = [];
      const tuples = chunk.map((key) => this.tuple(values, key)).join(', ');
      await this.manager.query(`DELETE FROM ${this.table(entity)} WHERE (${names}) IN (VALUES ${tuples})`, values);
    }
  }

  /**
   * Inserts `rows` (values in the order of `columns`). With `onConflict`, a row whose `keys`
   * already exist updates the `update` columns instead and adds the new values to its `add`
   * columns (the others keep their stored values). Rows of one call must have distinct keys.
   */
  async insert(
    entity: Entity,
    columns: readonly string[],
    rows: readonly (readonly unknown[])[],
    onConflict?: { keys: readonly string[]; update: readonly string[]; add?: readonly string[] },
  ): Promise<void> {
    if (rows.length === 0) return;
    const names = this.columnNames(entity, columns).join(', ');
    let conflict = '';
    if (onConflict) {
      const updates = [
        ...this.columnNames(entity, onConflict.update).map((name) => `${name} = excluded.${name}`),
        ...this.columnNames(entity, onConflict.add ?? []).map((name) => `${name} = stored.${name} + excluded.${name}`),
      ];
      conflict = ` ON CONFLICT (${this.columnNames(entity, onConflict.keys).join(', ')}) DO UPDATE SET ${updates.join(', ')}`;
    }
    for (const chunk of this.chunks(rows, columns.length)) {
      const values: unknown[] = [];
      const tuples = chunk.map((row) => this.tuple(values, row)).join(', ');
      await this.manager.query(`INSERT INTO ${this.table(entity)} AS stored (${names}) VALUES ${tuples}${conflict}`, values);
    }
  }

  /**
   * PostgreSQL: as few statements as the parameter limit allows. SQLite: chunks of powers of
   * two (up to 256 rows), so a handful of statement texts serve every batch size and stay in
   * the driver's prepared-statement cache instead of being prepared (and held) anew.
   */
  private chunks<T>(items: readonly T[], width: number): T[][] {
    const result: T[][] = [];
    const limit = Math.max(1, Math.floor(MAX_PARAMETERS / width));
    for (let start = 0; start < items.length; ) {
      let size = Math.min(limit, items.length - start);
      if (!this.postgres) size = Math.min(MAX_SQLITE_ROWS, 2 ** Math.floor(Math.log2(size)));
      result.push(items.slice(start, start + size));
      start += size;
    }
    return result;
  }

  private tuple(values: unknown[], row: readonly unknown[]): string {
    const placeholders = row.map((value) => {
      values.push(value);
      return this.postgres ? `$${values.length}` : '?';
    });
    return `(${placeholders.join(', ')})`;
  }

  private table(entity: Entity): string {
    const { tablePath } = this.manager.connection.getMetadata(entity);
    return tablePath
      .split('.')
      .map((part) => this.manager.connection.driver.escape(part))
      .join('.');
  }

  private columnNames(entity: Entity, properties: readonly string[]): string[] {
    const metadata = this.manager.connection.getMetadata(entity);
    return properties.map((property) => {
      const column = metadata.findColumnWithPropertyName(property);
      if (!column) throw new Error(`${metadata.name} has no column for property ${property}`);
      return this.manager.connection.driver.escape(column.databaseName);
    });
  }
}
