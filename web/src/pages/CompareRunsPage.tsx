import { useState, type ReactNode } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { compareRuns, metricNumber, type Run, type RunComparison } from '../api';
import { Card } from '../components/Card';
import { ChartControls, useChartOptions } from '../components/ChartControls';
import { ErrorBanner } from '../components/ErrorBanner';
import { GroupPageHeader } from '../components/GroupPageHeader';
import { MetricPanel, type ChartRun } from '../components/MetricPanel';
import { RunStatusBadge } from '../components/RunStatusBadge';
import { useLoader } from '../hooks';
import { formatMetric, runColor } from '../metricseries';
import { runUrl, runsUrl } from '../paths';

interface Row {
  key: string;
  cells: string[];
  differs: boolean;
}

function SideBySide({ label, runs, rows, onlyDiffs }: { label: string; runs: ChartRun[]; rows: Row[]; onlyDiffs: boolean }) {
  const shown = onlyDiffs ? rows.filter((r) => r.differs) : rows;
  return (
    <div className="table-wrap">
      <table aria-label={label}>
        <thead>
          <tr>
            <th>Key</th>
            {runs.map((run) => (
              <th key={run.id}>
                <span className="swatch" style={{ background: run.color }} />
                {run.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => (
            <tr key={row.key} data-key={row.key} className={row.differs ? 'diff-modified' : undefined} data-differs={row.differs}>
              <td className="mono">{row.key}</td>
              {row.cells.map((cell, i) => (
                <td key={i} className="mono">
                  {cell}
                </td>
              ))}
            </tr>
          ))}
          {shown.length === 0 && (
            <tr>
              <td className="table-empty" colSpan={runs.length + 1}>
                {onlyDiffs ? 'No differences.' : 'None.'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

function rowsOf(comparison: RunComparison): { params: Row[]; metrics: Row[] } {
  const differing = new Set(comparison.differing_params);
  const params = Object.entries(comparison.params)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, values]) => ({ key, cells: values.map((v) => v ?? '—'), differs: differing.has(key) }));
  const metrics = Object.entries(comparison.metrics)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, values]) => {
      const cells = values.map((v) => formatMetric(v === null ? null : metricNumber(v)));
      return { key, cells, differs: new Set(cells).size > 1 };
    });
  return { params, metrics };
}

function Comparison({ group, comparison }: { group: string; comparison: RunComparison }) {
  const [onlyDiffs, setOnlyDiffs] = useState(false);
  const [options, setOptions] = useChartOptions();
  const runs: ChartRun[] = comparison.runs.map((run, i) => ({ id: run.id, label: run.name, color: runColor(i) }));
  const { params, metrics } = rowsOf(comparison);
  const having = (key: string) => runs.filter((_, i) => key in (comparison.runs[i] as Run).metrics);
  const legend: ReactNode = (
    <ul className="chart-legend" aria-label="Runs">
      {comparison.runs.map((run, i) => (
        <li key={run.id}>
          <span className="swatch" style={{ background: runColor(i) }} />
          <Link to={runUrl(group, run.id)}>{run.name}</Link> <RunStatusBadge status={run.status} />
        </li>
      ))}
    </ul>
  );
  return (
    <>
      {legend}
      <label className="check">
        <input type="checkbox" checked={onlyDiffs} onChange={(e) => setOnlyDiffs(e.target.checked)} />
        Only differences
      </label>
      <div className="grid-2 align-start">
        <Card title="Params">
          <SideBySide label="Params" runs={runs} rows={params} onlyDiffs={onlyDiffs} />
        </Card>
        <Card title="Latest metrics">
          <SideBySide label="Metrics" runs={runs} rows={metrics} onlyDiffs={onlyDiffs} />
        </Card>
      </div>
      {metrics.length > 0 && (
        <Card title="Metric charts" actions={<ChartControls options={options} onChange={setOptions} />}>
          <div className="chart-grid">
            {metrics.map(({ key }) => (
              <MetricPanel key={key} group={group} runs={having(key)} metric={key} options={options} legend />
            ))}
          </div>
        </Card>
      )}
    </>
  );
}

/** `/g/:group/runs/compare?ids=a,b,c`: params and metrics side by side, differences highlighted, charts overlaid. */
export function CompareRunsPage() {
  const group = useParams().group ?? '';
  const [params] = useSearchParams();
  const ids = (params.get('ids') ?? '').split(',').filter(Boolean);
  const comparison = useLoader(() => compareRuns(group, ids), `${group}/${ids.join(',')}`);
  return (
    <div className="page" key={group}>
      <div>
        <Link to={runsUrl(group)}>← Runs</Link>
      </div>
      <GroupPageHeader group={group} title={`Compare ${ids.length} runs`} />
      <ErrorBanner message={comparison.error} />
      {comparison.data ? <Comparison group={group} comparison={comparison.data} /> : !comparison.error && <p className="muted">Loading…</p>}
    </div>
  );
}
