import { metricNumber, type Run } from '../api';
import { formatMetric, runColor } from '../metricseries';
import { Card } from './Card';
import { ChartControls, useChartOptions } from './ChartControls';
import { MetricPanel } from './MetricPanel';
import { Table } from './Table';

type Latest = [string, Run['metrics'][string]];

/** A run's latest metric values with their step, minimum, maximum and point count. */
export function LatestMetrics({ run }: { run: Run }) {
  const rows = Object.entries(run.metrics).sort(([a], [b]) => (a < b ? -1 : 1));
  const num = (value: Parameters<typeof metricNumber>[0] | null) => formatMetric(value === null ? null : metricNumber(value));
  return (
    <Table<Latest>
      label="Latest metrics"
      rows={rows}
      rowKey={([key]) => key}
      empty="No metrics logged."
      columns={[
        { header: 'Metric', render: ([key]) => <span className="mono">{key}</span> },
        { header: 'Latest', className: 'num', render: ([, m]) => num(m.value) },
        { header: 'Step', className: 'num', render: ([, m]) => m.step },
        { header: 'Min', className: 'num', render: ([, m]) => num(m.min) },
        { header: 'Max', className: 'num', render: ([, m]) => num(m.max) },
        { header: 'Points', className: 'num', render: ([, m]) => m.count.toLocaleString() },
      ]}
    />
  );
}

/** One chart per metric of the run, sharing the x axis, log scale and smoothing controls. */
export function MetricCharts({ run }: { run: Run }) {
  const [options, setOptions] = useChartOptions();
  const keys = Object.keys(run.metrics).sort();
  if (keys.length === 0) return null;
  const runs = [{ id: run.id, label: run.name, color: runColor(0) }];
  return (
    <Card title="Metric charts" actions={<ChartControls options={options} onChange={setOptions} />}>
      <div className="chart-grid">
        {keys.map((key) => (
          <MetricPanel key={key} group={run.group} runs={runs} metric={key} options={options} revision={String(run.metrics[key]?.count)} />
        ))}
      </div>
    </Card>
  );
}
