import { apiUrl, request, seg, type Page } from './client';

// --- model registry: registered models, versions, aliases, lineage ---

export interface RegisteredModel {
  id: number;
  group: string;
  name: string;
  description: string | null;
  tags: Record<string, string>;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  /** Alias -> version number. */
  aliases: Record<string, number>;
  latest_version: number | null;
  version_count: number;
}

export interface ModelVersion {
  model: string;
  group: string;
  version: number;
  status: 'pending' | 'ready';
  description: string | null;
  tags: Record<string, string>;
  flavors: string[];
  signature: Record<string, unknown> | null;
  input_example_path: string | null;
  /** The source run's latest metrics when the version was made (NaN/infinities as strings). */
  metrics: Record<string, number | string>;
  run_id: string | null;
  source_path: string | null;
  /** `runs:/<id>/<path>` or `upload`. */
  source: string;
  aliases: string[];
  file_count: number;
  size: number;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface ModelFile {
  path: string;
  size: number;
  hash: string;
}

export interface ModelAlias {
  model: string;
  alias: string;
  version: number;
  updated_by: string | null;
  updated_at: string;
}

/** One change of an alias: set (from null), moved, or deleted (to null). */
export interface AliasMove {
  alias: string;
  from_version: number | null;
  to_version: number | null;
  user: string | null;
  created_at: string;
}

export interface Lineage {
  model: string;
  version: number;
  run: {
    id: string;
    name: string;
    experiment: string;
    status: string;
    deleted: boolean;
    params: Record<string, string>;
    metrics: Record<string, number | string>;
  } | null;
  job: { id: number; name: string; command: string | string[] | null; instance_type: string; status: string } | null;
  /** The job's named environment; null: the server's own. */
  environment: string | null;
  /** Dataset versions the run read: `group/name@vN`. */
  datasets: string[];
}

const modelsPath = (group: string) => `/groups/${seg(group)}/models`;
const modelPath = (group: string, name: string) => `${modelsPath(group)}/${seg(name)}`;
const versionPath = (group: string, name: string, version: number) => `${modelPath(group, name)}/versions/${version}`;

export const listModels = (group: string, filter: string, cursor?: string, limit = 100) =>
  request<Page<RegisteredModel>>('GET', modelsPath(group), { query: { filter, cursor, limit } });
export const runModelVersions = (group: string, runId: string) =>
  request<ModelVersion[]>('GET', `/groups/${seg(group)}/runs/${seg(runId)}/model-versions`);
export const getModel = (group: string, name: string) => request<RegisteredModel>('GET', modelPath(group, name));
export const listModelVersions = (group: string, name: string, cursor?: string) =>
  request<Page<ModelVersion>>('GET', `${modelPath(group, name)}/versions`, { query: { cursor, limit: 100 } });
export const getModelVersion = (group: string, name: string, version: number) => request<ModelVersion>('GET', versionPath(group, name, version));
export const listModelFiles = (group: string, name: string, version: number, cursor?: string) =>
  request<Page<ModelFile>>('GET', `${versionPath(group, name, version)}/files`, { query: { cursor, limit: 500 } });
export const modelFileUrl = (group: string, name: string, version: number, path: string) =>
  apiUrl(`${versionPath(group, name, version)}/files/content`, { path });
export const getLineage = (group: string, name: string, version: number) => request<Lineage>('GET', `${versionPath(group, name, version)}/lineage`);
export const setAlias = (group: string, name: string, alias: string, version: number) =>
  request<ModelAlias>('PUT', `${modelPath(group, name)}/aliases/${seg(alias)}`, { body: { version } });
export const deleteAlias = (group: string, name: string, alias: string) => request<void>('DELETE', `${modelPath(group, name)}/aliases/${seg(alias)}`);
export const aliasHistory = (group: string, name: string, cursor?: string) =>
  request<Page<AliasMove>>('GET', `${modelPath(group, name)}/history`, { query: { cursor, limit: 100 } });
