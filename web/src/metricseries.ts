// Metric histories prepared for a line chart: x columns, EMA smoothing, log-scale cleanup.

import { metricNumber, type MetricHistory } from './api';

export type XMode = 'step' | 'time';

export interface ChartOptions {
  xMode: XMode;
  log: boolean;
  /** EMA weight, 0 (none) to 0.99, as TensorBoard's smoothing slider. */
  smoothing: number;
}

/** One line of a chart: a run's history of the metric. */
export interface ChartLine {
  label: string;
  color: string;
  history: MetricHistory;
}

/** Colours for runs drawn together, in order. */
const RUN_COLORS = ['#2f5d8a', '#d1495b', '#2e7d5b', '#c58a1b', '#7b4ea3', '#00798c', '#8c564b', '#d45fa0', '#6b7785', '#9aa31b'];

export const runColor = (index: number): string => RUN_COLORS[index % RUN_COLORS.length] ?? '#2f5d8a';

/** Downsampled points to ask for: two per pixel of the chart's width (the server keeps min, max and last per bucket). */
export function pointsFor(width: number): number {
  const bucket = Math.ceil(Math.max(width, 100) / 100) * 100;
  return Math.min(2 * bucket, 1_000_000);
}

/**
 * TensorBoard's smoothing: an exponential moving average, debiased so the line starts at the
 * first value rather than near zero. Non-finite values pass through and do not disturb it.
 */
export function ema(values: Float64Array, weight: number): Float64Array {
  const out = new Float64Array(values.length);
  let last = 0;
  let seen = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] ?? NaN;
    if (!Number.isFinite(value)) {
      out[i] = value;
      continue;
    }
    last = last * weight + (1 - weight) * value;
    seen += 1;
    out[i] = last / (1 - weight ** seen);
  }
  return out;
}

/** x (steps, or wall-clock milliseconds in time order) and y columns of a history. */
export function columns(history: MetricHistory, xMode: XMode): { xs: Float64Array; ys: Float64Array } {
  const n = history.values.length;
  const source = xMode === 'step' ? history.steps : history.timestamps;
  const order = Array.from({ length: n }, (_, i) => i);
  // Steps come sorted; timestamps usually are, but points may be logged out of time order.
  if (xMode === 'time' && source.some((t, i) => i > 0 && t < (source[i - 1] ?? t))) order.sort((a, b) => (source[a] ?? 0) - (source[b] ?? 0));
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  order.forEach((from, to) => {
    xs[to] = source[from] ?? 0;
    ys[to] = metricNumber(history.values[from] ?? 'NaN');
  });
  return { xs, ys };
}

/** What can be plotted: non-finite values (and, on a log scale, values <= 0) become gaps. */
export function plottable(ys: Float64Array, log: boolean): (number | null)[] {
  return Array.from(ys, (y) => (Number.isFinite(y) && (!log || y > 0) ? y : null));
}

/** A value for a tooltip or table: NaN and the infinities spelled out, others to 6 significant digits. */
export function formatMetric(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}
