import { download, request, seg, type Page } from './client';

// --- datasets (docs/datasets.md): `owner` is always the group that owns the dataset ---

export type DatasetAccess = 'owner' | 'read' | 'write';
export type GrantAccess = 'read' | 'write';

export interface Dataset {
  name: string;
  group: string;
  description: string | null;
  created_at: string;
  created_by: string | null;
  latest: string | null;
  version_count: number;
  /** The owner group when the dataset is shared with the group it was listed for. */
  shared_from: string | null;
  access: DatasetAccess;
}

export interface DatasetCreate {
  name: string;
  description?: string;
}

export interface FileEntry {
  path: string;
  size: number;
  /** BLAKE3 of the whole file; files over 64 MiB are stored as the ordered `chunks`. */
  hash: string;
  mode: number;
  chunks: string[] | null;
}

export interface VersionSummary {
  files: number;
  bytes: number;
  added: number;
  removed: number;
  changed: number;
}

export interface Version {
  number: number;
  name: string;
  message: string;
  author: string | null;
  created_at: string;
  parent: string | null;
  tags: string[];
  summary: VersionSummary;
}

export interface VersionCreate {
  message: string;
  /** The version the push was based on; the commit fails with 409 if latest moved on. */
  parent?: string;
  files: FileEntry[];
}

export interface PushPlan {
  missing: string[];
  upload_bytes: number;
  new_stored_bytes: number;
  storage_used: number;
  storage_limit: number | null;
}

export type Change = 'added' | 'removed' | 'modified';

export interface DiffEntry {
  path: string;
  change: Change;
  /** The file in the `from` version; null when added. */
  old: FileEntry | null;
  /** The file in the `to` version; null when removed. */
  new: FileEntry | null;
}

/** One page of a diff, by path; `summary` totals the whole diff on every page. */
export interface DiffPage extends Page<DiffEntry> {
  from: string;
  to: string;
  summary: { added: number; removed: number; modified: number; bytes_added: number; bytes_removed: number };
}

export interface DatasetTag {
  tag: string;
  version: string;
}

export interface DatasetGrant {
  group: string;
  access: GrantAccess;
  created_at: string;
}

const PACK_MEDIA_TYPE = 'application/x-atrium-pack';

const datasetsPath = (group: string) => `/groups/${seg(group)}/datasets`;
const datasetPath = (owner: string, name: string) => `${datasetsPath(owner)}/${seg(name)}`;

export const listDatasets = (group: string, cursor?: string) =>
  request<Page<Dataset>>('GET', datasetsPath(group), { query: { cursor, limit: 100 } });
export const createDataset = (group: string, dataset: DatasetCreate) =>
  request<Dataset>('POST', datasetsPath(group), { body: dataset });
export const getDataset = (owner: string, name: string) => request<Dataset>('GET', datasetPath(owner, name));

export const listVersions = (owner: string, name: string, cursor?: string) =>
  request<Page<Version>>('GET', `${datasetPath(owner, name)}/versions`, { query: { cursor, limit: 100 } });
export const listFiles = (owner: string, name: string, ref: string, limit: number, cursor?: string) =>
  request<Page<FileEntry>>('GET', `${datasetPath(owner, name)}/versions/${seg(ref)}/files`, { query: { limit, cursor } });
export const diffVersions = (owner: string, name: string, from: string, to: string, cursor?: string) =>
  request<DiffPage>('GET', `${datasetPath(owner, name)}/diff`, { query: { from, to, cursor, limit: 500 } });
export const planVersion = (owner: string, name: string, version: VersionCreate) =>
  request<PushPlan>('POST', `${datasetPath(owner, name)}/versions/plan`, { body: version });
export const createVersion = (owner: string, name: string, version: VersionCreate) =>
  request<Version>('POST', `${datasetPath(owner, name)}/versions`, { body: version });

export const uploadPack = (owner: string, name: string, pack: Blob) =>
  request<{ stored: number; bytes: number }>('POST', `${datasetPath(owner, name)}/blobs/pack`, {
    raw: { data: pack, type: PACK_MEDIA_TYPE },
  });
export const putBlob = (owner: string, name: string, hash: string, data: Blob) =>
  request<{ hash: string; size: number }>('PUT', `${datasetPath(owner, name)}/blobs/${seg(hash)}`, {
    raw: { data, type: 'application/octet-stream' },
  });
export const getBlob = (owner: string, name: string, hash: string) =>
  download(`${datasetPath(owner, name)}/blobs/${seg(hash)}`);

export const listTags = (owner: string, name: string, cursor?: string) =>
  request<Page<DatasetTag>>('GET', `${datasetPath(owner, name)}/tags`, { query: { cursor, limit: 100 } });
export const setTag = (owner: string, name: string, tag: string, version: string) =>
  request<DatasetTag>('PUT', `${datasetPath(owner, name)}/tags/${seg(tag)}`, { body: { version } });
export const deleteTag = (owner: string, name: string, tag: string) =>
  request<void>('DELETE', `${datasetPath(owner, name)}/tags/${seg(tag)}`);

export const listGrants = (owner: string, name: string, cursor?: string) =>
  request<Page<DatasetGrant>>('GET', `${datasetPath(owner, name)}/grants`, { query: { cursor, limit: 100 } });
export const setGrant = (owner: string, name: string, group: string, access: GrantAccess) =>
  request<DatasetGrant>('PUT', `${datasetPath(owner, name)}/grants/${seg(group)}`, { body: { access } });
export const revokeGrant = (owner: string, name: string, group: string) =>
  request<void>('DELETE', `${datasetPath(owner, name)}/grants/${seg(group)}`);
