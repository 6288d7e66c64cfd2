import type { ReactNode } from 'react';
import type { ApiError } from '../api/client';
import { DataTable, type DataTableProps } from './data-table';
import { ErrorText } from './form';

export interface ListedRowsProps<Row> extends Omit<DataTableProps<Row>, 'rows'> {
  /** Undefined until the first answer. */
  rows: readonly Row[] | undefined;
  /** Shown until the first answer; nothing is shown when absent. */
  loading?: string;
  /** Shown instead of a table without rows; an empty table when absent. */
  empty?: ReactNode;
}

/** A list read from the API: its loading line, its empty state, or its table. */
export function ListedRows<Row>({ rows, loading, empty, ...table }: ListedRowsProps<Row>) {
  if (rows === undefined) return loading === undefined ? null : <p className="loading">{loading}</p>;
  if (rows.length === 0 && empty !== undefined) return <>{empty}</>;
  return <DataTable {...table} rows={rows} />;
}

interface TableSectionProps<Row> {
  /** The heading's id, which names the section (`aria-labelledby`). */
  id: string;
  title: string;
  lead: string;
  /** The last failed call's error, announced. */
  error: ApiError | undefined;
  /** The outcome of the section's last action, read out as it changes (a `status` line above the table); none when absent. */
  outcome?: string;
  table: ListedRowsProps<Row>;
  /** What follows the table in the same section. */
  children?: ReactNode;
}

/** A titled section of a page around one list: its lead text, error, loading line and table. */
export function TableSection<Row>({ id, title, lead, error, outcome, table, children }: TableSectionProps<Row>) {
  return (
    <section aria-labelledby={id} className="group">
      <h2 id={id}>{title}</h2>
      <p className="lead">{lead}</p>
      <ErrorText error={error} />
      {outcome === undefined ? null : (
        <p role="status" className="muted">
          {outcome}
        </p>
      )}
      <ListedRows {...table} />
      {children}
    </section>
  );
}
