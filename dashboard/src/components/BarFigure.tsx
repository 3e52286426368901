/** A captioned bar chart of counts (or percentages) by category, with its figures as a table. */
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartFigure } from './ChartFigure';

export function BarFigure({
  id,
  caption,
  rows,
  categoryName,
  valueName,
  colour = '#005eb8',
  percent = false,
  table,
}: {
  id: string;
  caption: string;
  /** `shown`, when given, is what the table says in place of the value ("<5": a count hidden as small). */
  rows: { label: string; value: number; shown?: string }[];
  /** Heads the table's first column: "Phase", "Reason" … */ categoryName: string;
  valueName: string;
  colour?: string;
  percent?: boolean;
  table?: { headers: string[]; rows: (string | number)[][] };
}) {
  return (
    <ChartFigure
      id={id}
      caption={caption}
      table={
        table ?? {
          headers: [categoryName, valueName],
          rows: rows.map((r) => [r.label, r.shown ?? (percent ? `${r.value}%` : r.value)]),
        }
      }
    >
      <ResponsiveContainer width="100%" height={240}>
        <BarChart data={rows}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="label" />
          {percent ? <YAxis unit="%" domain={[0, 100]} /> : <YAxis allowDecimals={false} />}
          <Tooltip />
          <Bar dataKey="value" name={valueName} fill={colour} />
        </BarChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}
