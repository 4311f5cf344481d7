import { Bar, BarChart, CartesianGrid, LabelList, Tooltip, XAxis, YAxis } from 'recharts';

export interface BarDatum {
  label: string;
  value: number;
}

export interface HBarChartProps {
  /** Names the chart for screen readers and tests. */
  title: string;
  data: BarDatum[];
  format: (value: number) => string;
  unit: string;
}

const ROW = 30;

/** Horizontal bars, one per row of `data`, largest first, each labelled with its value. */
export function HBarChart({ title, data, format, unit }: HBarChartProps) {
  const rows = [...data].sort((a, b) => b.value - a.value);
  const width = Math.min(260, 40 + 7 * Math.max(...rows.map((r) => r.label.length), 4));
  return (
    <figure className="chart" aria-label={title}>
      <BarChart
        layout="vertical"
        data={rows}
        responsive
        style={{ width: '100%', height: 40 + ROW * rows.length }}
        margin={{ top: 4, right: 72, bottom: 4, left: 4 }}
      >
        <CartesianGrid horizontal={false} stroke="#eef1f4" />
        <XAxis type="number" tickFormatter={format} tick={{ fontSize: 12 }} />
        <YAxis type="category" dataKey="label" width={width} tick={{ fontSize: 12 }} interval={0} />
        <Tooltip formatter={(value) => [`${format(Number(value))} ${unit}`, '']} separator="" />
        <Bar dataKey="value" fill="var(--accent)" radius={[0, 4, 4, 0]} barSize={18} isAnimationActive={false}>
          <LabelList dataKey="value" position="right" formatter={(value) => format(Number(value))} className="chart-value" />
        </Bar>
      </BarChart>
    </figure>
  );
}
