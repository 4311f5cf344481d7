import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { ResourceSample } from '../api';
import { formatBytes } from '../format';

const time = (ms: number) => new Date(ms).toLocaleTimeString();
const percent = (value: number) => `${Math.round(value)} %`;

export interface ResourceChartProps {
  samples: ResourceSample[];
}

/** CPU (percent of one core, left axis) and memory (right axis) of an attempt over time. */
export function ResourceChart({ samples }: ResourceChartProps) {
  const data = samples.map((s) => ({
    t: new Date(s.time).getTime(),
    cpu: s.cpu_percent,
    memory: s.memory_bytes,
    gpu: s.gpu_percent,
  }));
  const gpu = samples.some((s) => s.gpu_percent !== null);
  return (
    <figure className="chart" aria-label="Resource usage">
      <LineChart data={data} responsive style={{ width: '100%', height: 260 }} margin={{ top: 8, right: 8, bottom: 4, left: 8 }}>
        <CartesianGrid stroke="#eef1f4" />
        <XAxis dataKey="t" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={time} tick={{ fontSize: 12 }} />
        <YAxis yAxisId="percent" tickFormatter={percent} tick={{ fontSize: 12 }} width={56} />
        <YAxis yAxisId="bytes" orientation="right" tickFormatter={formatBytes} tick={{ fontSize: 12 }} width={72} />
        <Tooltip
          labelFormatter={(label) => time(Number(label))}
          formatter={(value, name) => (name === 'Memory' ? formatBytes(Number(value)) : percent(Number(value)))}
        />
        <Legend />
        <Line yAxisId="percent" dataKey="cpu" name="CPU" stroke="var(--accent)" dot={data.length < 40} isAnimationActive={false} />
        <Line yAxisId="bytes" dataKey="memory" name="Memory" stroke="#2e7d5b" dot={data.length < 40} isAnimationActive={false} />
        {gpu && <Line yAxisId="percent" dataKey="gpu" name="GPU" stroke="#c58a1b" dot={false} isAnimationActive={false} />}
      </LineChart>
    </figure>
  );
}
