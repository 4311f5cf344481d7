import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import type { Job, JobAttempt, JobSubmit, Resources } from '../api';
import { elapsed, formatBytes, formatDate, formatDuration } from '../format';
import { jobUrl, runUrl } from '../paths';
import { DetailList } from './DetailList';
import { JobStatusBadge } from './JobStatusBadge';
import { Table, type Column } from './Table';

const chips = (items: string[]) => (items.length ? items.map((item) => <span key={item} className="chip mono">{item}</span>) : '—');

function inputs(spec: JobSubmit, resolved: Record<string, string>): ReactNode {
  const names = Object.keys(spec.inputs);
  if (!names.length) return '—';
  return names.map((name) => (
    <div key={name} className="mono">
      {name} = {spec.inputs[name]}
      {resolved[name] && resolved[name] !== spec.inputs[name] && <span className="muted"> → {resolved[name]}</span>}
    </div>
  ));
}

const shape = ({ cpu, memory, gpu }: Resources) => ` (${cpu} CPU · ${formatBytes(memory)}${gpu ? ` · ${gpu} GPU` : ''})`;

/** What a spec asks for; `job` adds what it resolved to when it was submitted. */
function specRows(spec: JobSubmit, job?: Job): [string, ReactNode][] {
  const command = typeof spec.command === 'string' ? spec.command : JSON.stringify(spec.command);
  return [
    ['Command', <pre className="command">{command}</pre>],
    ['Instance type', <><span className="mono">{spec.instance_type}</span>{job && <span className="muted">{shape(job.resources)}</span>}</>],
    ['Environment', chips(Object.entries(spec.env).map(([k, v]) => `${k}=${v}`))],
    ['Secrets', chips(spec.secrets)],
    ['Dataset inputs', inputs(spec, job?.resolved_inputs ?? {})],
    ['Working directory', spec.working_dir ?? '—'],
    ['Virtualenv', spec.environment ?? "the server's Python"],
    ['Timeout', spec.timeout_seconds ? formatDuration(spec.timeout_seconds) : 'none'],
    ['Retries', `${spec.max_retries} at most`],
    ['Priority', spec.priority],
  ];
}

/** A job template (a schedule's): what each of its jobs will run. */
export function SpecDetails({ spec }: { spec: JobSubmit }) {
  return <DetailList rows={[['Job name', spec.name], ...specRows(spec)]} />;
}

/** Everything the job was submitted with, and how it went. */
export function JobDetails({ job }: { job: Job }) {
  const rows: [string, ReactNode][] = [
    ...specRows(job, job),
    ['Exit code', job.exit_code ?? '—'],
    ['Submitted', `${formatDate(job.created_at)}${job.created_by ? ` by ${job.created_by}` : ''}`],
    ['Ran for', elapsed(job.started_at, job.ended_at)],
    ['Rerun of', job.rerun_of ? <Link to={jobUrl(job.group, job.rerun_of)}>#{job.rerun_of}</Link> : '—'],
    ['Run', job.run_id && job.started_at ? <Link className="mono" to={runUrl(job.group, job.run_id)}>{job.run_id}</Link> : '—'],
  ];
  return <DetailList rows={rows} testId="job-details" />;
}

const ATTEMPT_COLUMNS: Column<JobAttempt>[] = [
  { header: 'Attempt', render: (a) => a.number },
  { header: 'Status', render: (a) => <JobStatusBadge status={a.status} /> },
  { header: 'Reason', render: (a) => a.reason ?? '—' },
  { header: 'Exit code', className: 'num', render: (a) => a.exit_code ?? '—' },
  { header: 'Started', render: (a) => formatDate(a.started_at) },
  { header: 'Ran for', className: 'num', render: (a) => elapsed(a.started_at, a.ended_at) },
  { header: 'Executor', render: (a) => a.executor },
];

/** One row per attempt (retries are attempts too). */
export function AttemptsTable({ attempts }: { attempts: JobAttempt[] }) {
  return <Table label="Attempts" columns={ATTEMPT_COLUMNS} rows={attempts} rowKey={(a) => String(a.number)} empty="Not started yet." />;
}
