// Typed client for the public Atrium REST API (docs/api.md). The dashboard uses nothing else.

export type Role = 'member' | 'admin';

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface User {
  username: string;
  email: string | null;
  display_name: string | null;
  is_admin: boolean;
  enabled: boolean;
  created_at: string;
}

export interface GroupRef {
  name: string;
  display_name: string | null;
  role: Role;
}

export interface Me extends User {
  groups: GroupRef[];
}

export interface LoginResult {
  token: string;
  csrf_token: string;
  expires_at: string;
  user: User;
}

export interface Token {
  id: string;
  name: string;
  prefix: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

export interface NewToken extends Token {
  token: string;
}

export interface Group {
  name: string;
  display_name: string | null;
  description: string | null;
  created_at: string;
  member_count: number;
  my_role: Role | null;
}

export interface GroupDeletion {
  group: string;
  deleted: boolean;
  resources: {
    members: number;
    invitations: number;
    member_quotas: number;
    reservations: number;
  };
}

export interface Member {
  username: string;
  display_name: string | null;
  email: string | null;
  role: Role;
  joined_at: string;
}

export const RESOURCES = [
  'cpu',
  'memory',
  'gpu',
  'running_jobs',
  'deployments',
  'storage_bytes',
] as const;

export type Resource = (typeof RESOURCES)[number];

export type Quota = Record<Resource, number | null>;

/** What a quota field may be set to: a number, a quantity string like "16Gi", or null (unlimited). */
export type QuotaInput = Record<Resource, number | string | null>;

export interface UsageItem {
  used: number;
  limit: number | null;
}

export interface Usage {
  group: string;
  resources: Record<Resource, UsageItem>;
}

export interface InstanceType {
  name: string;
  display_name: string | null;
  description: string | null;
  cpu: number;
  memory: number;
  gpu: number;
  is_global: boolean;
  groups: string[];
  created_at: string;
}

export interface InstanceTypeCreate {
  name: string;
  display_name?: string;
  description?: string;
  cpu: number;
  memory: number | string;
  gpu: number;
  is_global: boolean;
  groups: string[];
}

export interface Invitation {
  id: string;
  group: string;
  role: Role;
  email: string | null;
  created_by: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  used_by: string | null;
}

export interface NewInvitation extends Invitation {
  token: string;
}

export interface InvitationPreview {
  group: string;
  role: Role;
  expires_at: string;
}

export interface InvitationAccept {
  token: string;
  username?: string;
  password?: string;
  email?: string;
  display_name?: string;
}

export interface AuditEvent {
  id: number;
  time: string;
  actor: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  group: string | null;
  request_id: string | null;
  client_addr: string | null;
  outcome: string;
  details: unknown;
}

export interface AuditFilter {
  group?: string;
  actor?: string;
  action?: string;
}

/** An error reported by the server (or the network), carrying the API's error envelope. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details: unknown = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

const BASE = '/api/v1';
const MUTATIONS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

let onUnauthenticated: () => void = () => undefined;

/** Registers what to do when the session is missing or expired (a 401 from any endpoint). */
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

function readCookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

type Query = Record<string, string | number | boolean | undefined>;

function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

interface RequestOptions {
  body?: unknown;
  /** Bytes sent as they are, with their media type, instead of a JSON body. */
  raw?: { data: Blob; type: string };
  query?: Query;
  /** Leave a 401 to the caller instead of sending the user to the sign-in page. */
  allow401?: boolean;
}

interface FieldProblem {
  loc?: (string | number)[];
  msg?: string;
}

/** Validation errors name the offending fields in `details`; fold them into the message. */
function describe(message: string, details: unknown): string {
  if (!Array.isArray(details)) return message;
  const problems = (details as FieldProblem[])
    .filter((d) => d.msg)
    .map((d) => `${(d.loc ?? []).filter((part) => part !== 'body').join('.')}: ${d.msg}`);
  return problems.length ? `${message} (${problems.join('; ')})` : message;
}

async function errorFrom(response: Response): Promise<ApiError> {
  try {
    const payload = (await response.json()) as { error?: { code: string; message: string; details: unknown } };
    if (payload.error) {
      const { code, message, details } = payload.error;
      return new ApiError(response.status, code, describe(message, details), details);
    }
  } catch {
    // Not the JSON envelope (e.g. a proxy error page): fall through to a generic error.
  }
  return new ApiError(response.status, 'http_error', `The server answered ${response.status} ${response.statusText}`);
}

function networkError(): ApiError {
  return new ApiError(0, 'network_error', 'Cannot reach the Atrium server. Check your connection and retry.');
}

async function send(method: string, path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: BodyInit | undefined;
  if (options.raw) {
    headers['Content-Type'] = options.raw.type;
    body = options.raw.data;
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const csrf = MUTATIONS.has(method) ? readCookie('atrium_csrf') : null;
  if (csrf) headers['X-CSRF-Token'] = csrf;
  let response: Response;
  try {
    response = await fetch(withQuery(BASE + path, options.query), { method, headers, credentials: 'same-origin', body });
  } catch {
    throw networkError();
  }
  if (!response.ok) {
    const error = await errorFrom(response);
    if (response.status === 401 && !options.allow401) onUnauthenticated();
    throw error;
  }
  return response;
}

async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(method, path, options);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

/** GETs raw bytes (a blob), with the same error handling as JSON requests. */
async function download(path: string): Promise<Blob> {
  const response = await send('GET', path, {});
  try {
    return await response.blob();
  } catch {
    throw networkError();
  }
}

const seg = encodeURIComponent;

// --- auth and self ---

export const login = (username: string, password: string) =>
  request<LoginResult>('POST', '/auth/login', { body: { username, password }, allow401: true });
export const logout = () => request<void>('POST', '/auth/logout', { allow401: true });
export const getMe = () => request<Me>('GET', '/me');
export const changePassword = (current_password: string, new_password: string) =>
  request<void>('POST', '/me/password', { body: { current_password, new_password } });

// --- API tokens ---

export const listTokens = () => request<Page<Token>>('GET', '/tokens', { query: { limit: 200 } });
export const createToken = (name: string, expires_in_days?: number) =>
  request<NewToken>('POST', '/tokens', { body: { name, expires_in_days } });
export const revokeToken = (id: string) => request<void>('DELETE', `/tokens/${seg(id)}`);

// --- users (platform admin) ---

export interface UserCreate {
  username: string;
  password: string;
  email?: string;
  is_admin: boolean;
}

export type UserUpdate = Partial<Pick<User, 'email' | 'display_name' | 'is_admin' | 'enabled'>>;

export const listUsers = (q: string, cursor?: string) =>
  request<Page<User>>('GET', '/users', { query: { q, cursor, limit: 100 } });
export const createUser = (user: UserCreate) => request<User>('POST', '/users', { body: user });
export const updateUser = (username: string, patch: UserUpdate) =>
  request<User>('PATCH', `/users/${seg(username)}`, { body: patch });
export const resetUserPassword = (username: string, password: string) =>
  request<void>('POST', `/users/${seg(username)}/password`, { body: { password } });
export const deleteUser = (username: string) => request<void>('DELETE', `/users/${seg(username)}`);

// --- groups ---

export interface GroupCreate {
  name: string;
  display_name?: string;
  description?: string;
}

export const listGroups = () => request<Page<Group>>('GET', '/groups', { query: { limit: 200 } });
export const createGroup = (group: GroupCreate) => request<Group>('POST', '/groups', { body: group });
export const getGroup = (group: string) => request<Group>('GET', `/groups/${seg(group)}`);
export const deleteGroup = (group: string, preview: boolean) =>
  request<GroupDeletion>('DELETE', `/groups/${seg(group)}`, { query: { preview: preview || undefined } });
export const getUsage = (group: string) => request<Usage>('GET', `/groups/${seg(group)}/usage`);
export const getGroupQuota = (group: string) => request<Quota>('GET', `/groups/${seg(group)}/quota`);
export const setGroupQuota = (group: string, quota: QuotaInput) =>
  request<Quota>('PATCH', `/groups/${seg(group)}/quota`, { body: quota });

// --- members ---

const memberPath = (group: string, username: string) => `/groups/${seg(group)}/members/${seg(username)}`;

export const listMembers = (group: string) =>
  request<Page<Member>>('GET', `/groups/${seg(group)}/members`, { query: { limit: 500 } });
export const addMember = (group: string, username: string, role: Role) =>
  request<Member>('POST', `/groups/${seg(group)}/members`, { body: { username, role } });
export const setMemberRole = (group: string, username: string, role: Role) =>
  request<Member>('PATCH', memberPath(group, username), { body: { role } });
export const removeMember = (group: string, username: string) =>
  request<void>('DELETE', memberPath(group, username));
export const getMemberQuota = (group: string, username: string) =>
  request<Quota>('GET', `${memberPath(group, username)}/quota`);
export const setMemberQuota = (group: string, username: string, quota: QuotaInput) =>
  request<Quota>('PATCH', `${memberPath(group, username)}/quota`, { body: quota });

// --- instance types ---

export const listInstanceTypes = () =>
  request<Page<InstanceType>>('GET', '/instance-types', { query: { limit: 200 } });
export const createInstanceType = (type: InstanceTypeCreate) =>
  request<InstanceType>('POST', '/instance-types', { body: type });
export const deleteInstanceType = (name: string) => request<void>('DELETE', `/instance-types/${seg(name)}`);

// --- invitations ---

export interface InvitationCreate {
  group: string;
  role: Role;
  email?: string;
  expires_in_hours?: number;
}

export const listInvitations = (group: string) =>
  request<Page<Invitation>>('GET', '/invitations', { query: { group, limit: 200 } });
export const createInvitation = (invitation: InvitationCreate) =>
  request<NewInvitation>('POST', '/invitations', { body: invitation });
export const revokeInvitation = (id: string) => request<void>('DELETE', `/invitations/${seg(id)}`);
export const previewInvitation = (token: string) =>
  request<InvitationPreview>('POST', '/invitations/preview', { body: { token } });
export const acceptInvitation = (accept: InvitationAccept) =>
  request<{ group: string; role: Role; user: User }>('POST', '/invitations/accept', { body: accept });

// --- audit ---

export const listAudit = (filter: AuditFilter, cursor?: string) =>
  request<Page<AuditEvent>>('GET', '/audit', { query: { ...filter, cursor, limit: 100 } });

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

export interface Modified {
  path: string;
  old: FileEntry;
  new: FileEntry;
}

export interface Diff {
  from: string;
  to: string;
  added: FileEntry[];
  removed: FileEntry[];
  modified: Modified[];
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
export const diffVersions = (owner: string, name: string, from: string, to: string) =>
  request<Diff>('GET', `${datasetPath(owner, name)}/diff`, { query: { from, to } });
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

export const listTags = (owner: string, name: string) =>
  request<DatasetTag[]>('GET', `${datasetPath(owner, name)}/tags`);
export const setTag = (owner: string, name: string, tag: string, version: string) =>
  request<DatasetTag>('PUT', `${datasetPath(owner, name)}/tags/${seg(tag)}`, { body: { version } });
export const deleteTag = (owner: string, name: string, tag: string) =>
  request<void>('DELETE', `${datasetPath(owner, name)}/tags/${seg(tag)}`);

export const listGrants = (owner: string, name: string) =>
  request<DatasetGrant[]>('GET', `${datasetPath(owner, name)}/grants`);
export const setGrant = (owner: string, name: string, group: string, access: GrantAccess) =>
  request<DatasetGrant>('PUT', `${datasetPath(owner, name)}/grants/${seg(group)}`, { body: { access } });
export const revokeGrant = (owner: string, name: string, group: string) =>
  request<void>('DELETE', `${datasetPath(owner, name)}/grants/${seg(group)}`);
