import { Link, useParams, useSearchParams } from 'react-router-dom';
import { ACTIVE_STATUSES, JOB_STATUSES, JOBS_PAGE, isActive, listJobs, type Job, type JobStatus } from '../api';
import { Card } from '../components/Card';
import { ErrorBanner } from '../components/ErrorBanner';
import { GroupPageHeader } from '../components/GroupPageHeader';
import { JobStatusBadge } from '../components/JobStatusBadge';
import { LoadMore } from '../components/LoadMore';
import { Table, type Column } from '../components/Table';
import { elapsed, formatDate } from '../format';
import { useInterval, usePaged } from '../hooks';
import { jobUrl, newJobUrl } from '../paths';

/** How often the list refreshes itself. */
const REFRESH_MS = 3000;

const STATUS_FILTERS: Record<string, readonly JobStatus[]> = {
  all: [],
  active: ACTIVE_STATUSES,
  ...Object.fromEntries(JOB_STATUSES.map((s) => [s, [s]])),
};

function columns(group: string): Column<Job>[] {
  return [
    { header: 'Job', render: (j) => <Link to={jobUrl(group, j.id)}>#{j.id} {j.name}</Link> },
    { header: 'Status', render: (j) => <JobStatusBadge status={j.status} /> },
    { header: 'Reason', render: (j) => <span className="muted reason">{j.reason ?? ''}</span> },
    { header: 'Instance type', render: (j) => <span className="mono">{j.instance_type}</span> },
    { header: 'By', render: (j) => j.created_by ?? '—' },
    { header: 'Submitted', render: (j) => formatDate(j.created_at) },
    { header: 'Ran for', className: 'num', render: (j) => elapsed(j.started_at, j.ended_at) },
  ];
}

/** `/g/:group/jobs`: the group's jobs (or the caller's), newest first, refreshed as they move on. */
export function JobsPage() {
  const group = useParams().group ?? '';
  const [params, setParams] = useSearchParams();
  const mine = params.get('mine') === '1';
  const statusKey = params.get('status') ?? 'all';
  const status = [...(STATUS_FILTERS[statusKey] ?? [])];
  const jobs = usePaged((cursor) => listJobs(group, { mine, status }, cursor), `${group}/${mine}/${statusKey}`);
  // A refresh reloads the first page only: stop while the user pages through older jobs.
  useInterval(jobs.reload, (jobs.data?.length ?? 0) > JOBS_PAGE ? null : REFRESH_MS);
  const update = (patch: Record<string, string>) =>
    setParams({ mine: mine ? '1' : '0', status: statusKey, ...patch }, { replace: true });
  const active = jobs.data?.filter((j) => isActive(j.status)).length ?? 0;

  return (
    <div className="page" key={group}>
      <GroupPageHeader
        group={group}
        title="Jobs"
        description="Commands run on an instance type, queued under the group's quota."
        actions={
          <Link className="btn btn-primary" to={newJobUrl(group)}>
            New job
          </Link>
        }
      />
      <div className="toolbar">
        <div className="segmented" role="group" aria-label="Whose jobs">
          <button type="button" className={mine ? '' : 'active'} aria-pressed={!mine} onClick={() => update({ mine: '0' })}>
            All jobs
          </button>
          <button type="button" className={mine ? 'active' : ''} aria-pressed={mine} onClick={() => update({ mine: '1' })}>
            My jobs
          </button>
        </div>
        <select aria-label="Status" value={statusKey} onChange={(e) => update({ status: e.target.value })}>
          {Object.keys(STATUS_FILTERS).map((key) => (
            <option key={key} value={key}>
              {key === 'all' ? 'Any status' : key === 'active' ? 'Queued or running' : key.replace('_', ' ')}
            </option>
          ))}
        </select>
        <span className="muted">{active ? `${active} active · ` : ''}refreshes every {REFRESH_MS / 1000} s</span>
      </div>
      <Card title="Jobs">
        <ErrorBanner message={jobs.error} />
        <Table
          label="Jobs"
          columns={columns(group)}
          rows={jobs.data}
          rowKey={(j) => String(j.id)}
          empty={statusKey === 'all' && !mine ? 'No jobs yet: submit one with New job.' : 'No jobs match these filters.'}
          loading={jobs.loading}
        />
        <LoadMore hasMore={jobs.hasMore} onClick={jobs.loadMore} />
      </Card>
    </div>
  );
}
