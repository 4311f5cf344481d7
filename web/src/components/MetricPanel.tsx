import { useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { metricHistory, type MetricHistory } from '../api';
import { useLoader } from '../hooks';
import { pointsFor, type ChartLine, type ChartOptions } from '../metricseries';
import { useLineChart } from './Charts';
import { ErrorBanner } from './ErrorBanner';

/** A run drawn in a chart, with its colour (the same in every chart of a page). */
export interface ChartRun {
  id: string;
  label: string;
  color: string;
}

interface Props {
  group: string;
  runs: ChartRun[];
  metric: string;
  options: ChartOptions;
  /** Show a legend of the runs (when several are overlaid). */
  legend?: boolean;
  /** Changes when the metric has new points (a running run), to fetch its history again. */
  revision?: string;
}

interface Fetched {
  histories: MetricHistory[];
  receivedAt: number;
  fetchMs: number;
}

/** The figure's width, once laid out and whenever it changes. */
function useWidth(): [RefObject<HTMLElement | null>, number] {
  const ref = useRef<HTMLElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/**
 * One metric's chart. It asks the server for each run's history downsampled to about two points
 * per pixel of its width, never the raw series, so a million-point metric costs a few thousand.
 */
export function MetricPanel({ group, runs, metric, options, legend = false, revision = '' }: Props) {
  const [ref, width] = useWidth();
  const LineChart = useLineChart();
  const maxPoints = width ? pointsFor(width) : 0;
  const ids = runs.map((r) => r.id).join(',');
  const fetched = useLoader<Fetched | null>(async () => {
    if (!maxPoints) return null;
    const started = performance.now();
    const histories = await Promise.all(runs.map((r) => metricHistory(group, r.id, metric, maxPoints)));
    const receivedAt = performance.now();
    return { histories, receivedAt, fetchMs: receivedAt - started };
  }, `${group}/${ids}/${metric}/${maxPoints}/${revision}`);
  const data = fetched.data;
  const lines = useMemo<ChartLine[]>(
    () => data?.histories.map((history, i) => ({ history, label: runs[i]?.label ?? history.run_id, color: runs[i]?.color ?? '#2f5d8a' })) ?? [],
    // The runs are those the histories were fetched for.
    [data],
  );
  const total = data?.histories.reduce((sum, h) => sum + h.total, 0) ?? 0;
  const drawn = data?.histories.reduce((sum, h) => sum + h.values.length, 0) ?? 0;

  return (
    <figure
      ref={ref}
      className="chart metric-chart"
      aria-label={`Metric ${metric}`}
      data-metric={metric}
      data-max-points={maxPoints || undefined}
      data-fetch-ms={data ? data.fetchMs.toFixed(1) : undefined}
    >
      <figcaption>
        <span className="mono metric-name">{metric}</span>
        {data && (
          <span className="muted" data-testid="metric-points">
            {total.toLocaleString()} points{drawn < total ? `, ${drawn.toLocaleString()} drawn` : ''}
          </span>
        )}
      </figcaption>
      <ErrorBanner message={fetched.error} />
      {data && LineChart ? (
        <LineChart lines={lines} options={options} receivedAt={data.receivedAt} />
      ) : (
        !fetched.error && <p className="muted chart-loading">Loading…</p>
      )}
      {legend && (
        <ul className="chart-legend" aria-label={`Runs in ${metric}`}>
          {runs.map((run) => (
            <li key={run.id}>
              <span className="swatch" style={{ background: run.color }} />
              {run.label}
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}
