/**
 * A sortable table: each column header is a button (keyboard-reachable) and says how the column is
 * sorted through aria-sort. Filtering is the page's business; this only orders and shows rows.
 */
import { useState, type ReactNode } from 'react';

export interface Column<R> {
  key: string;
  header: string;
  cell: (row: R) => ReactNode;
  /** What the column sorts by; unsortable without it. */
  sortValue?: (row: R) => string | number | null;
}

export function DataTable<R>({
  caption,
  columns,
  rows,
  rowKey,
  initialSort,
  empty = 'Nothing to show.',
}: {
  caption: string;
  columns: Column<R>[];
  rows: R[];
  rowKey: (row: R) => string;
  initialSort?: { key: string; direction: 'ascending' | 'descending' };
  empty?: string;
}) {
  const [sort, setSort] = useState(initialSort);
  const column = columns.find((c) => c.key === sort?.key);
  const sorted = column?.sortValue
    ? [...rows].sort((a, b) => {
        const [x, y] = [column.sortValue!(a), column.sortValue!(b)];
        // Rows without a value go last whichever way the column is sorted.
        if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
        const order = x < y ? -1 : x > y ? 1 : 0;
        return sort!.direction === 'ascending' ? order : -order;
      })
    : rows;
  const toggle = (key: string) =>
    setSort((s) => ({ key, direction: s?.key === key && s.direction === 'ascending' ? 'descending' : 'ascending' }));
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) => (
            <th
              key={c.key}
              scope="col"
              aria-sort={sort?.key === c.key ? sort.direction : c.sortValue ? 'none' : undefined}
            >
              {c.sortValue ? (
                <button type="button" className="sort" onClick={() => toggle(c.key)}>
                  {c.header}
                  <span aria-hidden="true">
                    {sort?.key === c.key ? (sort.direction === 'ascending' ? ' ▲' : ' ▼') : ' ↕'}
                  </span>
                </button>
              ) : (
                c.header
              )}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {sorted.length === 0 ? (
          <tr>
            <td colSpan={columns.length}>{empty}</td>
          </tr>
        ) : (
          sorted.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((c) => (
                <td key={c.key}>{c.cell(row)}</td>
              ))}
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
