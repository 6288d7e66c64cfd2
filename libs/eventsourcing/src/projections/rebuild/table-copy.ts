import type { DataSource, EntityMetadata } from 'typeorm';
import { quotedPath } from '../database-dialect';
import type { EntityTarget } from '../projection';

/** One projection table to refill from its rebuilt twin. Names are quoted for raw SQL. */
export interface TableCopy {
  /** The live table, as the live DataSource addresses it. */
  live: string;
  /** Columns stored in the table (computed columns are left to the database). */
  columns: string[];
  /** Columns (unquoted) whose values come from a sequence when omitted. */
  generatedColumns: string[];
  /** The table's name, unquoted and without schema. */
  tableName: string;
  /** Quoted column list, the same on both sides. */
  columnList: string;
}

/**
 * The projection's tables in an order that satisfies foreign keys between them: referenced
 * tables first (insert in this order, delete in reverse).
 */
export function tableCopies(live: DataSource, entities: readonly EntityTarget[]): TableCopy[] {
  const metadatas = [...new Set(entities.map((entity) => live.getMetadata(entity)))];
  return orderByForeignKeys(metadatas).map((metadata) => {
    const stored = metadata.columns.filter((column) => !column.isVirtual && !column.isVirtualProperty && column.generatedType === undefined);
    const columns = stored.map((column) => quote(live, column.databaseName));
    return {
      live: quotedPath(live, metadata.tablePath),
      tableName: metadata.tableName,
      columns,
      columnList: columns.join(', '),
      generatedColumns: stored.filter((column) => column.isGenerated && column.generationStrategy === 'increment').map((column) => column.databaseName),
    };
  });
}

export function quote(dataSource: DataSource, identifier: string): string {
  return dataSource.driver.escape(identifier);
}

function orderByForeignKeys(metadatas: readonly EntityMetadata[]): EntityMetadata[] {
  const members = new Set(metadatas);
  const ordered: EntityMetadata[] = [];
  const visiting = new Set<EntityMetadata>();
  const visit = (metadata: EntityMetadata) => {
    if (ordered.includes(metadata) || visiting.has(metadata)) return;
    visiting.add(metadata);
    for (const foreignKey of metadata.foreignKeys) {
      if (members.has(foreignKey.referencedEntityMetadata) && foreignKey.referencedEntityMetadata !== metadata) visit(foreignKey.referencedEntityMetadata);
    }
    visiting.delete(metadata);
    ordered.push(metadata);
  };
  for (const metadata of metadatas) visit(metadata);
  return ordered;
}
