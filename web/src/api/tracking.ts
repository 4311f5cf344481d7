import { apiUrl, download, request, requestText, seg, type Page } from './client';

// --- experiment tracking (docs/tracking.md): experiments, runs, metric histories, artifacts ---

export type RunStatus = 'running' | 'finished' | 'failed' | 'killed';

export interface Experiment {
  id: number;
  group: string;
  name: string;
  description: string | null;
  tags: Record<string, string>;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  run_count: number;
  last_run_at: string | null;
}

/** NaN and the infinities travel as strings; `metricNumber` turns them back into numbers. */
type WireFloat = number | 'NaN' | 'Infinity' | '-Infinity';

export interface LatestMetric {
  value: WireFloat;
  step: number;
  timestamp: number;
  min: WireFloat | null;
  max: WireFloat | null;
  count: number;
}

export interface RunSource {
  type: 'job' | 'notebook' | 'script' | 'other';
  name: string | null;
  job_id: number | null;
  git_commit: string | null;
}

export interface Run {
  id: string;
  name: string;
  group: string;
  experiment: string;
  experiment_id: number;
  status: RunStatus;
  user: string | null;
  start_time: string;
  end_time: string | null;
  parent_run_id: string | null;
  source: RunSource;
  notes: string | null;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, LatestMetric>;
  /** Dataset versions the run read: `group/name@vN`. */
  inputs: string[];
}

export interface RunQuery {
  experiments: string[];
  /** The server's filter language: `metrics.acc > 0.9 and params.lr = '0.1'`. */
  filter: string;
  /** Like `metrics.acc DESC`. */
  orderBy: string[];
}

export interface RunComparison {
  runs: Run[];
  params: Record<string, (string | null)[]>;
  metrics: Record<string, (WireFloat | null)[]>;
  differing_params: string[];
}

/** A metric's points as columns, in step order; `values` may hold the NaN/infinity strings. */
export interface MetricHistory {
  run_id: string;
  key: string;
  /** Points in the range before downsampling. */
  total: number;
  downsampled: boolean;
  steps: number[];
  timestamps: number[];
  values: WireFloat[];
}

export interface RunArtifact {
  path: string;
  size: number;
  hash: string;
  created_at: string;
}

/** A metric value from the wire as a number (NaN and the infinities included). */
export const metricNumber = (value: WireFloat): number => Number(value);

const RUNS_PAGE = 50;

const groupPath = (group: string) => `/groups/${seg(group)}`;
const runPath = (group: string, id: string) => `${groupPath(group)}/runs/${seg(id)}`;

export const listExperiments = (group: string, cursor?: string) =>
  request<Page<Experiment>>('GET', `${groupPath(group)}/experiments`, { query: { cursor, limit: 100 } });
export const searchRuns = (group: string, query: RunQuery, cursor?: string, limit = RUNS_PAGE) =>
  request<Page<Run>>('GET', `${groupPath(group)}/runs`, {
    query: { experiment: query.experiments, filter: query.filter, order_by: query.orderBy, cursor, limit },
  });
export const getRun = (group: string, id: string) => request<Run>('GET', runPath(group, id));
export const compareRuns = (group: string, ids: string[]) =>
  request<RunComparison>('GET', `${groupPath(group)}/runs/compare`, { query: { ids: ids.join(',') } });

/** A metric's history, downsampled on the server to at most `maxPoints` points. */
export const metricHistory = (group: string, id: string, key: string, maxPoints: number) =>
  request<MetricHistory>('GET', `${runPath(group, id)}/metrics/history`, { query: { key, max_points: maxPoints } });

export const listRunArtifacts = (group: string, id: string, cursor?: string) =>
  request<Page<RunArtifact>>('GET', `${runPath(group, id)}/artifacts`, { query: { cursor, limit: 500 } });
export const runArtifactUrl = (group: string, id: string, path: string) => apiUrl(`${runPath(group, id)}/artifacts/file`, { path });
export const runArtifactText = (group: string, id: string, path: string) => requestText(`${runPath(group, id)}/artifacts/file`, { path });
export const runArtifactBlob = (group: string, id: string, path: string) =>
  download(`${runPath(group, id)}/artifacts/file?path=${seg(path)}`);
