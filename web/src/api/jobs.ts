import { apiUrl, request, requestText, seg, type Page } from './client';

// --- jobs (docs/jobs.md): a command run on an instance type, queued under the group's quota ---

export const JOB_STATUSES = ['queued', 'admitted', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** States a job leaves by itself; the others are final. */
export const ACTIVE_STATUSES: readonly JobStatus[] = ['queued', 'admitted', 'running'];
export const isActive = (status: JobStatus) => ACTIVE_STATUSES.includes(status);

/** What to run: the body of a submit, and what clone returns. */
export interface JobSubmit {
  name: string;
  /** A shell string (run by /bin/sh -c) or an argv list. */
  command: string | string[];
  instance_type: string;
  env: Record<string, string>;
  secrets: string[];
  /** NAME -> group/dataset[@vN|:tag], mounted read-only at $ATRIUM_DATA_<NAME>. */
  inputs: Record<string, string>;
  working_dir: string | null;
  environment: string | null;
  timeout_seconds: number | null;
  max_retries: number;
  priority: number;
}

export interface Resources {
  cpu: number;
  memory: number;
  gpu: number;
}

export interface JobAttempt {
  number: number;
  status: JobStatus;
  reason: string | null;
  executor: string;
  exit_code: number | null;
  resources: Resources;
  admitted_at: string;
  started_at: string | null;
  ended_at: string | null;
  log_bytes: number;
}

export interface Job extends JobSubmit {
  id: number;
  group: string;
  status: JobStatus;
  reason: string | null;
  resources: Resources;
  resolved_inputs: Record<string, string>;
  exit_code: number | null;
  cancel_requested: boolean;
  rerun_of: number | null;
  /** The job's tracking run (created when it first starts); absent from older servers. */
  run_id?: string | null;
  created_by: string | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  attempts: JobAttempt[];
}

export interface Artifact {
  path: string;
  size: number;
  hash: string;
  attempt: number;
}

export interface ResourceSample {
  attempt: number;
  time: string;
  cpu_percent: number;
  memory_bytes: number;
  gpu_percent: number | null;
  gpu_memory_bytes: number | null;
}

export interface JobFilter {
  mine: boolean;
  status: JobStatus[];
}

/** A piece of a job's log and where the next read starts. */
export interface LogPiece {
  text: string;
  nextOffset: number;
  /** The attempt has ended and everything it wrote has been read. */
  ended: boolean;
}

const jobsPath = (group: string) => `/groups/${seg(group)}/jobs`;
const jobPath = (group: string, id: number) => `${jobsPath(group)}/${id}`;

/** Jobs per page of the list. */
export const JOBS_PAGE = 50;

export const listJobs = (group: string, filter: JobFilter, cursor?: string) =>
  request<Page<Job>>('GET', jobsPath(group), {
    query: { mine: filter.mine || undefined, status: filter.status, cursor, limit: JOBS_PAGE },
  });
export const submitJob = (group: string, spec: JobSubmit) => request<Job>('POST', jobsPath(group), { body: spec });
export const getJob = (group: string, id: number) => request<Job>('GET', jobPath(group, id));
export const cancelJob = (group: string, id: number) => request<Job>('POST', `${jobPath(group, id)}/cancel`);
export const rerunJob = (group: string, id: number) => request<Job>('POST', `${jobPath(group, id)}/rerun`);
export const cloneJob = (group: string, id: number) => request<JobSubmit>('GET', `${jobPath(group, id)}/clone`);

export async function getJobLog(group: string, id: number, attempt: number, offset: number): Promise<LogPiece> {
  const { text, headers } = await requestText(`${jobPath(group, id)}/logs`, { attempt, offset });
  return {
    text,
    nextOffset: Number(headers.get('X-Log-Offset') ?? offset),
    ended: headers.get('X-Log-Ended') === 'true',
  };
}
export const jobLogUrl = (group: string, id: number, attempt: number) =>
  apiUrl(`${jobPath(group, id)}/logs/download`, { attempt });

export const listArtifacts = (group: string, id: number, attempt: number, cursor?: string) =>
  request<Page<Artifact>>('GET', `${jobPath(group, id)}/artifacts`, { query: { attempt, cursor, limit: 200 } });
export const artifactUrl = (group: string, id: number, artifact: Artifact) =>
  apiUrl(`${jobPath(group, id)}/artifacts/file`, { attempt: artifact.attempt, path: artifact.path });

export const listSamples = (group: string, id: number, attempt: number, cursor?: string) =>
  request<Page<ResourceSample>>('GET', `${jobPath(group, id)}/samples`, { query: { attempt, cursor, limit: 500 } });
