import type { ReactNode } from 'react';

export interface Column<Row> {
  /** Column header; at phone width also each cell's label (rows become stacked cards). */
  header: string;
  cell: (row: Row) => ReactNode;
  /** Classes of the cells (`mono`, `break`…). */
  className?: string;
  /**
   * The row's buttons: the header is read by screen readers only, and the buttons stay on one
   * line at the table's right edge (they wrap only at phone width).
   */
  actions?: boolean;
}

export interface DataTableProps<Row> {
  /** Names the scrollable region: its own label, or the id of a heading that labels it. */
  label: { text: string } | { by: string };
  /** Read by screen readers before the rows (what they are, in what order). */
  caption: string;
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string;
}

/**
 * A table in a labelled region that scrolls sideways when narrow. The region takes the focus
 * (Tab), so keyboard users can scroll it too; column headers are `th scope="col"`.
 */
export function DataTable<Row>({ label, caption, columns, rows, rowKey }: DataTableProps<Row>) {
  const regionLabel = 'text' in label ? { 'aria-label': label.text } : { 'aria-labelledby': label.by };
  return (
    <div className="table-wrap" tabIndex={0} role="region" {...regionLabel}>
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.header} scope="col" className={column.actions ? 'actions-cell' : undefined}>
                {column.actions ? <span className="visually-hidden">{column.header}</span> : column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((column) =>
                column.actions ? (
                  <td key={column.header} className="actions-cell">
                    <div className="row-actions">{column.cell(row)}</div>
                  </td>
                ) : (
                  <td key={column.header} data-label={column.header} className={column.className}>
                    {column.cell(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
