import { request, seg, type Page } from './client';
import type { JobSubmit } from './jobs';

// --- schedules (docs/schedules.md): a job template submitted on a cron, in a timezone ---

export const PRESETS = ['hourly', 'daily', 'weekly', 'monthly'] as const;
export type Preset = (typeof PRESETS)[number];
export type ScheduleStatus = 'active' | 'disabled' | 'invalid';

export interface ScheduleRun {
  id: number;
  time: string;
  /** The cron time the tick was for; null for a manual trigger. */
  scheduled_for: string | null;
  trigger: 'schedule' | 'manual';
  actor: string | null;
  outcome: 'submitted' | 'skipped' | 'failed';
  job_id: number | null;
  message: string;
}

export interface Schedule {
  name: string;
  group: string;
  cron: string;
  preset: Preset | null;
  timezone: string;
  job: JobSubmit;
  enabled: boolean;
  status: ScheduleStatus;
  /** Why the last tick could not submit; null when fine. */
  problem: string | null;
  /** The user its jobs are submitted as. */
  owner: string | null;
  created_by: string | null;
  created_at: string;
  updated_by: string | null;
  updated_at: string;
  /** Upcoming ticks, in the schedule's timezone. */
  next_runs: string[];
  last_run: ScheduleRun | null;
}

/** The timing: exactly one of `cron` and `preset`. */
export interface ScheduleTiming {
  cron?: string;
  preset?: Preset;
  timezone: string;
}

export interface ScheduleCreate extends ScheduleTiming {
  name: string;
  job: JobSubmit;
  enabled: boolean;
}

const schedulesPath = (group: string) => `/groups/${seg(group)}/schedules`;
const schedulePath = (group: string, name: string) => `${schedulesPath(group)}/${seg(name)}`;

export const listSchedules = (group: string, cursor?: string) =>
  request<Page<Schedule>>('GET', schedulesPath(group), { query: { cursor, limit: 100 } });
export const createSchedule = (group: string, schedule: ScheduleCreate) =>
  request<Schedule>('POST', schedulesPath(group), { body: schedule });
export const getSchedule = (group: string, name: string, next = 10) =>
  request<Schedule>('GET', schedulePath(group, name), { query: { next } });
export const updateSchedule = (group: string, name: string, patch: ScheduleTiming & { job: JobSubmit }) =>
  request<Schedule>('PATCH', schedulePath(group, name), { body: patch });
export const setScheduleEnabled = (group: string, name: string, enabled: boolean) =>
  request<Schedule>('POST', `${schedulePath(group, name)}/${enabled ? 'enable' : 'disable'}`);
export const triggerSchedule = (group: string, name: string) =>
  request<ScheduleRun>('POST', `${schedulePath(group, name)}/trigger`);
export const deleteSchedule = (group: string, name: string) => request<void>('DELETE', schedulePath(group, name));
export const listScheduleRuns = (group: string, name: string, cursor?: string) =>
  request<Page<ScheduleRun>>('GET', `${schedulePath(group, name)}/history`, { query: { cursor, limit: 50 } });
