/**
 * A chart with a caption and the same numbers as a table beneath it, so the figures are there for
 * screen readers, for copying into a report, and for anyone who reads tables faster than bars.
 */
import type { ReactNode } from 'react';

export function ChartFigure({
  id,
  caption,
  children,
  table,
}: {
  id: string;
  caption: string;
  children: ReactNode;
  table: { headers: string[]; rows: (string | number)[][] };
}) {
  return (
    <figure className="chart" aria-labelledby={`${id}-caption`} data-chart={id}>
      <figcaption id={`${id}-caption`}>{caption}</figcaption>
      {/* The drawing is for the eye; its figures are in the table. Inert, so nothing in it takes focus. */}
      <div aria-hidden="true" inert>
        {children}
      </div>
      <details>
        <summary>Figures for “{caption}”</summary>
        <table>
          <thead>
            <tr>
              {table.headers.map((h) => (
                <th key={h} scope="col">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((r) => (
              <tr key={String(r[0])}>
                {r.map((v, i) => (
                  <td key={i}>{v}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
