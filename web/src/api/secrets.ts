import { request, seg, type Page } from './client';

// --- group secrets (docs/secrets.md): values go in, only names and metadata come out ---

export interface Secret {
  name: string;
  group: string;
  created_at: string;
  created_by: string | null;
  updated_at: string;
  updated_by: string | null;
}

const secretsPath = (group: string) => `/groups/${seg(group)}/secrets`;

export const listSecrets = (group: string, cursor?: string) =>
  request<Page<Secret>>('GET', secretsPath(group), { query: { cursor, limit: 200 } });
export const createSecret = (group: string, name: string, value: string) =>
  request<Secret>('POST', secretsPath(group), { body: { name, value } });
export const updateSecret = (group: string, name: string, value: string) =>
  request<Secret>('PUT', `${secretsPath(group)}/${seg(name)}`, { body: { value } });
export const deleteSecret = (group: string, name: string) =>
  request<void>('DELETE', `${secretsPath(group)}/${seg(name)}`);
