import { request, seg, type Page } from './client';

// --- the caller's notification channels (docs/notifications.md): webhooks and e-mail on job end ---

export const JOB_ENDS = ['succeeded', 'failed', 'cancelled', 'timed_out'] as const;
export type JobEnd = (typeof JOB_ENDS)[number];
export type ChannelKind = 'webhook' | 'email';

export interface NotificationChannel {
  id: string;
  kind: ChannelKind;
  url: string | null;
  address: string | null;
  events: JobEnd[];
  /** Only jobs of this group; null: every group. */
  group: string | null;
  enabled: boolean;
  /** webhook: the start of the signing secret, to tell secrets apart. */
  secret_prefix: string | null;
  created_at: string;
  updated_at: string;
}

/** A new channel, or one whose secret was just rotated: the webhook secret, shown once. */
export interface NewNotificationChannel extends NotificationChannel {
  secret: string | null;
}

export interface ChannelCreate {
  kind: ChannelKind;
  url?: string;
  /** email: default the account's e-mail. */
  address?: string;
  events: JobEnd[];
  group?: string;
}

export type ChannelUpdate = Partial<Pick<NotificationChannel, 'events' | 'group' | 'enabled'>>;

export interface NotificationDelivery {
  id: string;
  channel_id: string;
  event: string;
  job_id: number | null;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  last_error: string | null;
  created_at: string;
  next_attempt_at: string | null;
  sent_at: string | null;
}

const CHANNELS = '/me/notification-channels';
const channelPath = (id: string) => `${CHANNELS}/${seg(id)}`;

export const listChannels = () => request<Page<NotificationChannel>>('GET', CHANNELS, { query: { limit: 100 } });
export const createChannel = (channel: ChannelCreate) => request<NewNotificationChannel>('POST', CHANNELS, { body: channel });
export const updateChannel = (id: string, patch: ChannelUpdate) =>
  request<NotificationChannel>('PATCH', channelPath(id), { body: patch });
export const deleteChannel = (id: string) => request<void>('DELETE', channelPath(id));
export const rotateChannelSecret = (id: string) => request<NewNotificationChannel>('POST', `${channelPath(id)}/rotate-secret`);
export const testChannel = (id: string) => request<NotificationDelivery>('POST', `${channelPath(id)}/test`);
export const listDeliveries = (id: string, cursor?: string) =>
  request<Page<NotificationDelivery>>('GET', `${channelPath(id)}/deliveries`, { query: { cursor, limit: 50 } });
