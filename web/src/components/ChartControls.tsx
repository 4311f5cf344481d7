import { useState } from 'react';
import type { ChartOptions, XMode } from '../metricseries';

const STORAGE_KEY = 'atrium.chart-options';
const DEFAULTS: ChartOptions = { xMode: 'step', log: false, smoothing: 0 };

function stored(): ChartOptions {
  try {
    return { ...DEFAULTS, ...(JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as Partial<ChartOptions>) };
  } catch {
    return DEFAULTS;
  }
}

/** The chart options the user last chose, kept in localStorage for every metric chart. */
export function useChartOptions(): [ChartOptions, (patch: Partial<ChartOptions>) => void] {
  const [options, setOptions] = useState(stored);
  const update = (patch: Partial<ChartOptions>) => {
    const next = { ...options, ...patch };
    localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    setOptions(next);
  };
  return [options, update];
}

const X_MODES: [XMode, string][] = [
  ['step', 'Step'],
  ['time', 'Wall time'],
];

/** x axis (step or wall time), log scale and EMA smoothing for the metric charts of a page. */
export function ChartControls({ options, onChange }: { options: ChartOptions; onChange: (patch: Partial<ChartOptions>) => void }) {
  return (
    <div className="toolbar chart-controls">
      <div className="segmented" role="group" aria-label="X axis">
        {X_MODES.map(([mode, label]) => (
          <button key={mode} type="button" className={options.xMode === mode ? 'active' : ''} aria-pressed={options.xMode === mode} onClick={() => onChange({ xMode: mode })}>
            {label}
          </button>
        ))}
      </div>
      <label className="check">
        <input type="checkbox" checked={options.log} onChange={(e) => onChange({ log: e.target.checked })} />
        Log scale
      </label>
      <label className="smoothing">
        Smoothing
        <input
          type="range"
          aria-label="Smoothing"
          min={0}
          max={0.99}
          step={0.01}
          value={options.smoothing}
          onChange={(e) => onChange({ smoothing: Number(e.target.value) })}
        />
        <span className="mono">{options.smoothing.toFixed(2)}</span>
      </label>
    </div>
  );
}
