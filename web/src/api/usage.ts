import { apiUrl, request } from './client';

// --- the monthly usage report (docs/usage.md): allocation-based resource-hours ---

export interface UsageLine {
  group: string;
  /** null: the user has been deleted (or, in `groups`, the group's total). */
  user: string | null;
  cpu_core_hours: number;
  memory_gb_hours: number;
  gpu_hours: number;
  attempts: number;
}

export interface UsageReport {
  month: string;
  start: string;
  end: string;
  generated_at: string;
  scope: string;
  lines: UsageLine[];
  groups: UsageLine[];
}

export const getUsageReport = (month: string, group?: string) =>
  request<UsageReport>('GET', '/usage-report', { query: { month, group } });
/** Where the browser downloads the same report as CSV. */
export const usageReportCsvUrl = (month: string, group?: string) =>
  apiUrl('/usage-report', { month, group, format: 'csv' });
