// Display and input helpers for quantities, resources and dates.

import type { Resource } from './api';

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Bytes as a short human string: 17179869184 -> "16 GiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BINARY_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || Number.isInteger(value) ? 0 : 1;
  return `${value.toFixed(digits)} ${BINARY_UNITS[unit]}`;
}

const SUFFIXES = ['Pi', 'Ti', 'Gi', 'Mi', 'Ki'] as const;
const SUFFIX_POWER: Record<(typeof SUFFIXES)[number], number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5 };

/** Bytes as an exact input string, using the largest binary suffix that divides evenly: "16Gi". */
function bytesToQuantity(bytes: number): string {
  for (const suffix of SUFFIXES) {
    const size = 1024 ** SUFFIX_POWER[suffix];
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${suffix}`;
  }
  return String(bytes);
}

const QUANTITY = /^\d+(\.\d+)?\s*([KMGTP]i?|k)?B?$/;

export const BYTE_RESOURCES: ReadonlySet<Resource> = new Set<Resource>(['memory', 'storage_bytes']);

/**
 * Reads a quota or size field: empty means unlimited (null), plain numbers are sent as numbers,
 * byte quantities with a suffix ("16Gi") are sent as strings for the server to parse.
 */
export function parseQuantity(raw: string, label: string, bytes: boolean): number | string | null {
  const text = raw.trim();
  if (text === '') return null;
  const number = Number(text);
  if (Number.isFinite(number) && number >= 0) return number;
  if (bytes && QUANTITY.test(text)) return text;
  const hint = bytes ? ' or a size like 512Mi, 16Gi' : '';
  throw new Error(`${label}: "${text}" is not a number${hint}`);
}

export const RESOURCE_LABELS: Record<Resource, string> = {
  cpu: 'CPU (cores)',
  memory: 'Memory',
  gpu: 'GPU',
  running_jobs: 'Running jobs',
  deployments: 'Deployments',
  storage_bytes: 'Storage',
};

/** A resource amount for display, in human units for bytes. */
export function formatAmount(resource: Resource, value: number): string {
  return BYTE_RESOURCES.has(resource) ? formatBytes(value) : String(value);
}

/** A resource limit as an input value: "" for unlimited, "16Gi" for bytes. */
export function limitToInput(resource: Resource, value: number | null): string {
  if (value === null) return '';
  return BYTE_RESOURCES.has(resource) ? bytesToQuantity(value) : String(value);
}

export function formatDate(value: string | null): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString();
}

/** Resource-hours for display: "12.5", "0.0042" (small amounts keep two significant digits). */
export function formatHours(value: number): string {
  if (value === 0) return '0';
  if (Math.abs(value) < 0.01) return String(Number(value.toPrecision(2)));
  return value.toLocaleString(undefined, { maximumFractionDigits: 2 });
}

/** The current calendar month in UTC, as the usage report counts it: "2026-11". */
export function currentMonth(): string {
  return new Date().toISOString().slice(0, 7);
}

/** "2026-11" moved by `delta` months: shiftMonth("2026-12", 1) === "2027-01". */
export function shiftMonth(month: string, delta: number): string {
  const [year, mon] = month.split('-').map(Number);
  const date = new Date(Date.UTC(year ?? 1970, (mon ?? 1) - 1 + delta, 1));
  return date.toISOString().slice(0, 7);
}

const TIME_UNITS: [string, number][] = [
  ['d', 86400],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
];

/** Seconds as a short duration: 42 -> "42s", 3725 -> "1h 2m", 90061 -> "1d 1h". */
export function formatDuration(seconds: number): string {
  let rest = Math.max(0, Math.round(seconds));
  const parts: string[] = [];
  for (const [unit, size] of TIME_UNITS) {
    if (rest < size && (parts.length > 0 || unit !== 's')) continue;
    parts.push(`${Math.floor(rest / size)}${unit}`);
    rest %= size;
  }
  return parts.slice(0, 2).join(' ');
}

/** How long something ran: from `start` to `end` (or now, while it runs). */
export function elapsed(start: string | null, end: string | null): string {
  if (!start) return '—';
  const to = end ? new Date(end).getTime() : Date.now();
  return formatDuration((to - new Date(start).getTime()) / 1000);
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)?$/;
const DURATION_UNITS: Record<string, number> = Object.fromEntries(TIME_UNITS);

/** Reads "90", "90s", "30m", "2h" or "1d" as seconds; empty means none (null). */
export function parseDuration(raw: string, label: string): number | null {
  const text = raw.trim().toLowerCase();
  if (text === '') return null;
  const match = DURATION.exec(text);
  if (!match) throw new Error(`${label}: "${raw.trim()}" is not a duration like 90s, 30m, 2h or 1d`);
  return Math.round(Number(match[1]) * (DURATION_UNITS[match[2] ?? 's'] ?? 1));
}

/** Seconds as the shortest exact duration input: 7200 -> "2h", 90 -> "90s". */
export function durationToInput(seconds: number | null): string {
  if (seconds === null) return '';
  const [unit, size] = TIME_UNITS.find(([, size]) => seconds % size === 0) ?? ['s', 1];
  return `${seconds / size}${unit}`;
}

/** A time as the clock on the wall in `timeZone` shows it: "Nov 28, 2026, 2:00 AM". */
export function formatInZone(value: string, timeZone: string): string {
  const date = new Date(value);
  try {
    return date.toLocaleString(undefined, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
  } catch {
    return date.toLocaleString();
  }
}

/** How far ahead a time is: "in 3h 20m" (or "now" once it has passed). */
export function fromNow(value: string): string {
  const seconds = (new Date(value).getTime() - Date.now()) / 1000;
  return seconds <= 0 ? 'now' : `in ${formatDuration(seconds)}`;
}
