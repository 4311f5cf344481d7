import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import type { Job, JobAttempt } from '../api';
import { elapsed, formatBytes, formatDate, formatDuration } from '../format';
import { jobUrl } from '../paths';
import { JobStatusBadge } from './JobStatusBadge';
import { Table, type Column } from './Table';

const chips = (items: string[]) => (items.length ? items.map((item) => <span key={item} className="chip mono">{item}</span>) : '—');

function inputs(job: Job): ReactNode {
  const names = Object.keys(job.inputs);
  if (!names.length) return '—';
  return names.map((name) => (
    <div key={name} className="mono">
      {name} = {job.inputs[name]}
      {job.resolved_inputs[name] && job.resolved_inputs[name] !== job.inputs[name] && <span className="muted"> → {job.resolved_inputs[name]}</span>}
    </div>
  ));
}

function rows(job: Job): [string, ReactNode][] {
  const { cpu, memory, gpu } = job.resources;
  const command = typeof job.command === 'string' ? job.command : JSON.stringify(job.command);
  return [
    ['Command', <pre className="command">{command}</pre>],
    ['Instance type', <><span className="mono">{job.instance_type}</span> <span className="muted">({cpu} CPU · {formatBytes(memory)}{gpu ? ` · ${gpu} GPU` : ''})</span></>],
    ['Environment', chips(Object.entries(job.env).map(([k, v]) => `${k}=${v}`))],
    ['Secrets', chips(job.secrets)],
    ['Dataset inputs', inputs(job)],
    ['Working directory', job.working_dir ?? '—'],
    ['Virtualenv', job.environment ?? "the server's Python"],
    ['Timeout', job.timeout_seconds ? formatDuration(job.timeout_seconds) : 'none'],
    ['Retries', `${job.max_retries} at most`],
    ['Priority', job.priority],
    ['Exit code', job.exit_code ?? '—'],
    ['Submitted', `${formatDate(job.created_at)}${job.created_by ? ` by ${job.created_by}` : ''}`],
    ['Ran for', elapsed(job.started_at, job.ended_at)],
    ['Rerun of', job.rerun_of ? <Link to={jobUrl(job.group, job.rerun_of)}>#{job.rerun_of}</Link> : '—'],
  ];
}

/** Everything the job was submitted with, and how it went. */
export function JobDetails({ job }: { job: Job }) {
  return (
    <dl className="details" data-testid="job-details">
      {rows(job).map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
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
