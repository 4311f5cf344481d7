// The submit form's editable copy of a job spec, and the conversions to and from the API's.

import type { JobSubmit } from './api';
import { durationToInput, parseDuration } from './format';

export interface Pair {
  key: string;
  value: string;
}

export interface JobDraft {
  name: string;
  command: string;
  instance_type: string;
  env: Pair[];
  secrets: string[];
  /** NAME and dataset reference (`group/name@v3`, `group/name:latest`). */
  inputs: Pair[];
  working_dir: string;
  /** A virtualenv under the server's environments root; empty: the server's Python. */
  environment: string;
  timeout: string;
  max_retries: string;
  priority: string;
}

export const EMPTY_DRAFT: JobDraft = {
  name: '',
  command: '',
  instance_type: '',
  env: [],
  secrets: [],
  inputs: [],
  working_dir: '',
  environment: '',
  timeout: '',
  max_retries: '0',
  priority: '0',
};

const SAFE_ARG = /^[\w@%+=:,./-]+$/;

/** One argv item as /bin/sh reads it back: `it's` -> `'it'\''s'`. */
function shellQuote(arg: string): string {
  return SAFE_ARG.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

const pairs = (record: Record<string, string>): Pair[] => Object.entries(record).map(([key, value]) => ({ key, value }));

function record(rows: Pair[], label: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, value } of rows) {
    const name = key.trim();
    if (!name && !value) continue;
    if (!name) throw new Error(`${label}: a row has a value but no name`);
    if (name in out) throw new Error(`${label}: ${name} is given twice`);
    out[name] = value;
  }
  return out;
}

function integer(raw: string, label: string): number {
  const value = Number(raw.trim() || '0');
  if (!Number.isInteger(value)) throw new Error(`${label}: "${raw}" is not a whole number`);
  return value;
}

/** A spec (from clone, or a schedule's template) as form fields; an argv list becomes a shell line. */
export function draftFrom(spec: JobSubmit): JobDraft {
  return {
    name: spec.name,
    command: typeof spec.command === 'string' ? spec.command : spec.command.map(shellQuote).join(' '),
    instance_type: spec.instance_type,
    env: pairs(spec.env),
    secrets: [...spec.secrets],
    inputs: pairs(spec.inputs),
    working_dir: spec.working_dir ?? '',
    environment: spec.environment ?? '',
    timeout: durationToInput(spec.timeout_seconds),
    max_retries: String(spec.max_retries),
    priority: String(spec.priority),
  };
}

/** The form's fields as a submit body; throws an Error naming the field that is wrong. */
export function specFrom(draft: JobDraft): JobSubmit {
  return {
    name: draft.name.trim() || 'job',
    command: draft.command,
    instance_type: draft.instance_type,
    env: record(draft.env, 'Environment variables'),
    secrets: draft.secrets,
    inputs: record(draft.inputs, 'Dataset inputs'),
    working_dir: draft.working_dir.trim() || null,
    environment: draft.environment.trim() || null,
    timeout_seconds: parseDuration(draft.timeout, 'Timeout'),
    max_retries: integer(draft.max_retries, 'Retries'),
    priority: integer(draft.priority, 'Priority'),
  };
}
