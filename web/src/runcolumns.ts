// The runs table's chosen columns and sort, as the search API spells fields: `metrics.acc`.

import { metricNumber, type Run } from './api';
import { formatMetric } from './metricseries';

export const KINDS = ['metrics', 'params', 'tags'] as const;
export type Kind = (typeof KINDS)[number];

export interface KeyColumn {
  kind: Kind;
  key: string;
}

/** `metrics.acc`, or `` metrics.`val loss` `` for keys that need quoting in a filter or sort. */
export function fieldOf({ kind, key }: KeyColumn): string {
  return `${kind}.${/^[A-Za-z0-9_]+$/.test(key) ? key : `\`${key}\``}`;
}

/** Columns kept in the address as `metrics.acc,params.lr` (keys never hold commas). */
export function parseColumns(text: string): KeyColumn[] {
  return text
    .split(',')
    .map((item) => {
      const dot = item.indexOf('.');
      return { kind: item.slice(0, dot) as Kind, key: item.slice(dot + 1) };
    })
    .filter((c) => KINDS.includes(c.kind) && c.key !== '');
}

export const formatColumns = (columns: KeyColumn[]): string => columns.map((c) => `${c.kind}.${c.key}`).join(',');

/** Every params, metrics and tags key the runs have, sorted, by kind. */
export function keysOf(runs: Run[]): Record<Kind, string[]> {
  const sets: Record<Kind, Set<string>> = { metrics: new Set(), params: new Set(), tags: new Set() };
  for (const run of runs) for (const kind of KINDS) for (const key of Object.keys(run[kind])) sets[kind].add(key);
  return { metrics: [...sets.metrics].sort(), params: [...sets.params].sort(), tags: [...sets.tags].sort() };
}

export function cellOf(run: Run, { kind, key }: KeyColumn): string {
  if (kind === 'metrics') {
    const metric = run.metrics[key];
    return metric ? formatMetric(metricNumber(metric.value)) : '—';
  }
  return run[kind][key] ?? '—';
}

/** A sort as `order_by` takes it, split into the field and its direction. */
export function parseOrder(text: string): { field: string; desc: boolean } | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  const match = /^(.*?)\s+(ASC|DESC)$/i.exec(trimmed);
  return match ? { field: match[1] ?? '', desc: (match[2] ?? '').toUpperCase() === 'DESC' } : { field: trimmed, desc: false };
}
