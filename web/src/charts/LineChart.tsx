import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { columns, ema, formatMetric, plottable, type ChartLine, type ChartOptions } from '../metricseries';

export interface LineChartProps {
  lines: ChartLine[];
  options: ChartOptions;
  /** `performance.now()` when the histories arrived: the figure records how long drawing took. */
  receivedAt: number;
  height?: number;
}

interface Built {
  data: uPlot.AlignedData;
  series: uPlot.Series[];
  /** For each line, the index of its main (smoothed when smoothing) and raw series in `data`. */
  slots: { label: string; color: string; main: number; raw: number | null }[];
  points: number;
}

/** One table per line ([x, raw] or [x, raw, smoothed]), joined on x when there are several. */
function build(lines: ChartLine[], { xMode, log, smoothing }: ChartOptions): Built {
  const tables: uPlot.AlignedData[] = [];
  const series: uPlot.Series[] = [{}];
  const slots: Built['slots'] = [];
  let points = 0;
  for (const line of lines) {
    const { xs, ys } = columns(line.history, xMode);
    points += xs.length;
    const base = series.length;
    if (smoothing > 0) {
      tables.push([xs, plottable(ys, log), plottable(ema(ys, smoothing), log)]);
      series.push({ label: `${line.label} (raw)`, stroke: `${line.color}40`, width: 1, spanGaps: true, points: { show: false } });
      series.push({ label: line.label, stroke: line.color, width: 1.5, spanGaps: true, points: { show: false } });
      slots.push({ label: line.label, color: line.color, main: base + 1, raw: base });
    } else {
      tables.push([xs, plottable(ys, log)]);
      series.push({ label: line.label, stroke: line.color, width: 1.5, spanGaps: true, points: { show: false } });
      slots.push({ label: line.label, color: line.color, main: base, raw: null });
    }
  }
  const data = tables.length === 1 ? (tables[0] as uPlot.AlignedData) : uPlot.join(tables);
  return { data, series, slots, points };
}

/** Tick spacings for steps: whole numbers only (1, 2, 5, 10, 20, 50, ...). */
const STEP_INCRS = Array.from({ length: 16 }, (_, power) => [1, 2, 5].map((m) => m * 10 ** power)).flat();

function formatX(x: number, options: ChartOptions): string {
  return options.xMode === 'time' ? new Date(x).toLocaleString() : `step ${x}`;
}

/** Fills the tooltip with the values under the cursor, next to it; hides it off the plot. */
function showTooltip(u: uPlot, tip: HTMLDivElement, built: Built, options: ChartOptions) {
  const idx = u.cursor.idx;
  if (idx === null || idx === undefined) {
    tip.hidden = true;
    return;
  }
  const x = u.data[0][idx];
  const title = document.createElement('div');
  title.className = 'chart-tip-title';
  title.textContent = x === undefined ? '' : formatX(x, options);
  const rows = built.slots.map((slot) => {
    const row = document.createElement('div');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = slot.color;
    const main = u.data[slot.main]?.[idx];
    const raw = slot.raw === null ? null : u.data[slot.raw]?.[idx];
    const text = `${slot.label}: ${formatMetric(main)}${slot.raw === null ? '' : ` (raw ${formatMetric(raw)})`}`;
    row.append(swatch, document.createTextNode(text));
    return row;
  });
  tip.replaceChildren(title, ...rows);
  tip.hidden = false;
  const left = u.cursor.left ?? 0;
  const flip = left > u.over.clientWidth / 2;
  tip.style.left = flip ? '' : `${left + 12}px`;
  tip.style.right = flip ? `${u.over.clientWidth - left + 12}px` : '';
  tip.style.top = `${Math.max(0, (u.cursor.top ?? 0) - 10)}px`;
}

/**
 * Line charts drawn on a canvas (uPlot): one run or several overlaid, over steps or wall time,
 * linear or log scale, raw or EMA-smoothed, with a hover tooltip and drag-to-zoom (double-click
 * resets). Once drawn, the figure carries `data-ready`, `data-points`, `data-scale`, `data-x` and
 * `data-draw-ms` (from the data's arrival, or the change of options, to the complete draw).
 */
export function LineChart({ lines, options, receivedAt, height = 240 }: LineChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const drawnFor = useRef<number | null>(null);

  useEffect(() => {
    const el = host.current;
    if (!el) return undefined;
    const tooltip = document.createElement('div');
    tooltip.className = 'chart-tip';
    tooltip.setAttribute('role', 'tooltip');
    tooltip.hidden = true;
    const figure = el.closest('figure');
    // The first chart of new data is timed from its arrival; a redraw (other options) from now.
    const since = drawnFor.current === receivedAt ? performance.now() : receivedAt;
    drawnFor.current = receivedAt;
    const built = build(lines, options);
    let first = true;
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 200),
      height,
      ms: 1,
      scales: { x: { time: options.xMode === 'time' }, y: options.log ? { distr: 3, log: 10 } : {} },
      series: built.series,
      axes: [
        { stroke: '#6b7785', grid: { stroke: '#eef1f4' }, ...(options.xMode === 'step' ? { incrs: STEP_INCRS } : {}) },
        { stroke: '#6b7785', grid: { stroke: '#eef1f4' }, size: 64 },
      ],
      legend: { show: false },
      cursor: { drag: { x: true, y: false }, points: { size: 6 } },
      hooks: {
        setCursor: [(u) => showTooltip(u, tooltip, built, options)],
        draw: [
          () => {
            if (!first || !figure) return;
            first = false;
            figure.dataset.drawMs = (performance.now() - since).toFixed(1);
            figure.dataset.points = String(built.points);
            figure.dataset.scale = options.log ? 'log' : 'linear';
            figure.dataset.x = options.xMode;
            figure.dataset.ready = 'true';
          },
        ],
      },
    };
    const plot = new uPlot(opts, built.data, el);
    plot.over.append(tooltip);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 200), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
      figure?.removeAttribute('data-ready');
    };
  }, [lines, options, receivedAt, height]);

  return <div ref={host} className="line-chart" />;
}
