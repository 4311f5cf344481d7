// The charting library is large: pages load it only when they draw a chart.

import { lazy, Suspense, useEffect, useState, type JSX } from 'react';
import type { HBarChartProps } from '../charts/HBarChart';
import type { LineChart as LineChartComponent } from '../charts/LineChart';
import type { ResourceChartProps } from '../charts/ResourceChart';

function lazyChart<P extends object>(load: () => Promise<(props: P) => JSX.Element>): (props: P) => JSX.Element {
  const Chart = lazy(async () => ({ default: await load() }));
  return function LazyChart(props: P) {
    return (
      <Suspense fallback={<p className="muted">Loading chart…</p>}>
        <Chart {...props} />
      </Suspense>
    );
  };
}

export const HBarChart = lazyChart<HBarChartProps>(() => import('../charts/HBarChart').then((m) => m.HBarChart));
export const ResourceChart = lazyChart<ResourceChartProps>(() => import('../charts/ResourceChart').then((m) => m.ResourceChart));

let lineChart: Promise<typeof LineChartComponent> | null = null;

/**
 * The metric line chart, loaded while its data is fetched rather than through Suspense: React
 * holds back a suspended chart for a while after it could show, and a chart should draw as soon
 * as its data arrives. Undefined until loaded.
 */
export function useLineChart(): typeof LineChartComponent | undefined {
  const [chart, setChart] = useState<typeof LineChartComponent>();
  useEffect(() => {
    let live = true;
    lineChart ??= import('../charts/LineChart').then((m) => m.LineChart);
    void lineChart.then((loaded) => live && setChart(() => loaded));
    return () => {
      live = false;
    };
  }, []);
  return chart;
}
