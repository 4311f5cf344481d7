// Typed client for the public Atrium REST API (docs/api.md). The dashboard uses nothing else.

import { request, seg, type Page } from './client';

export { ApiError, setUnauthenticatedHandler, type Page } from './client';
export * from './datasets';
export * from './jobs';
export * from './models';
export * from './notifications';
export * from './schedules';
export * from './secrets';
export * from './tracking';
export * from './usage';

export type Role = 'member' | 'admin';

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

export const listGroups = (cursor?: string) => request<Page<Group>>('GET', '/groups', { query: { limit: 200, cursor } });
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

/** Every instance type (platform admins), or those `group` may use. */
export const listInstanceTypes = (group?: string) =>
  request<Page<InstanceType>>('GET', '/instance-types', { query: { group, limit: 200 } });
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

