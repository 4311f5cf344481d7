// The charting library is large: pages load it only when they draw a chart.

import { lazy, Suspense, type ComponentProps } from 'react';

const LazyHBarChart = lazy(() => import('../charts/HBarChart').then((m) => ({ default: m.HBarChart })));

const fallback = <p className="muted">Loading chart…</p>;

export function HBarChart(props: ComponentProps<typeof LazyHBarChart>) {
  return (
    <Suspense fallback={fallback}>
      <LazyHBarChart {...props} />
    </Suspense>
  );
}
