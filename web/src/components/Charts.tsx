// The charting library is large: pages load it only when they draw a chart.

import { lazy, Suspense, type JSX } from 'react';
import type { HBarChartProps } from '../charts/HBarChart';
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
