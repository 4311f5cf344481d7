import { Link, useParams } from 'react-router-dom';
import { getRun, searchRuns, type Run } from '../api';
import { Card } from '../components/Card';
import { DetailList } from '../components/DetailList';
import { ErrorBanner } from '../components/ErrorBanner';
import { GroupPageHeader } from '../components/GroupPageHeader';
import { RunArtifacts } from '../components/RunArtifacts';
import { RunLineage } from '../components/RunLineage';
import { LatestMetrics, MetricCharts } from '../components/RunMetrics';
import { RunStatusBadge } from '../components/RunStatusBadge';
import { Table } from '../components/Table';
import { elapsed, formatDate } from '../format';
import { useInterval, useLoader } from '../hooks';
import { jobUrl, runUrl, runsUrl } from '../paths';

/** How often a running run's page reads it again (its charts follow new points). */
const REFRESH_MS = 5000;

function SourceText({ run }: { run: Run }) {
  const { type, name, job_id: jobId, git_commit: commit } = run.source;
  return (
    <>
      {type}
      {name && (
        <>
          {' '}
          <span className="mono">{name}</span>
        </>
      )}
      {jobId !== null && (
        <>
          {' '}
          <Link to={jobUrl(run.group, jobId)}>job #{jobId}</Link>
        </>
      )}
      {commit && <span className="mono muted"> @ {commit.slice(0, 12)}</span>}
    </>
  );
}

function Children({ run }: { run: Run }) {
  const children = useLoader(
    () => searchRuns(run.group, { experiments: [], filter: `attributes.parent_run_id = '${run.id}'`, orderBy: [] }, undefined, 100),
    `${run.group}/${run.id}`,
  );
  const items = children.data?.items ?? [];
  if (children.error) return <span className="muted">{children.error}</span>;
  if (items.length === 0) return <span className="muted">{children.loading ? '…' : 'none'}</span>;
  return (
    <ul className="plain-list" aria-label="Child runs">
      {items.map((child) => (
        <li key={child.id}>
          <Link to={runUrl(run.group, child.id)}>{child.name}</Link> <RunStatusBadge status={child.status} />
        </li>
      ))}
    </ul>
  );
}

function Overview({ run }: { run: Run }) {
  return (
    <DetailList
      testId="run-overview"
      rows={[
        ['Status', <RunStatusBadge key="s" status={run.status} />],
        ['Experiment', <Link key="e" to={runsUrl(run.group, run.experiment)}>{run.experiment}</Link>],
        ['Started', formatDate(run.start_time)],
        ['Ended', formatDate(run.end_time)],
        ['Duration', elapsed(run.start_time, run.end_time)],
        ['User', run.user ?? '—'],
        ['Source', <SourceText key="src" run={run} />],
        ['Parent run', run.parent_run_id ? <Link key="p" className="mono" to={runUrl(run.group, run.parent_run_id)}>{run.parent_run_id}</Link> : '—'],
        ['Child runs', <Children key="c" run={run} />],
        ['Run id', <span key="id" className="mono">{run.id}</span>],
      ]}
    />
  );
}

function Pairs({ label, pairs }: { label: string; pairs: Record<string, string> }) {
  return (
    <Table<[string, string]>
      label={label}
      rows={Object.entries(pairs).sort(([a], [b]) => (a < b ? -1 : 1))}
      rowKey={([key]) => key}
      empty={`No ${label.toLowerCase()}.`}
      columns={[
        { header: 'Key', render: ([key]) => <span className="mono">{key}</span> },
        { header: 'Value', render: ([, value]) => <span className="mono wrap">{value}</span> },
      ]}
    />
  );
}

function RunView({ run }: { run: Run }) {
  return (
    <>
      <GroupPageHeader
        group={run.group}
        title={
          <>
            {run.name} <RunStatusBadge status={run.status} />
          </>
        }
        description={<>Run of {run.experiment}</>}
      />
      <div className="grid-2 align-start">
        <Card title="Overview">
          <Overview run={run} />
        </Card>
        <div className="column">
          <Card title="Lineage">
            <RunLineage run={run} />
          </Card>
          {run.notes && (
            <Card title="Notes">
              <p className="notes">{run.notes}</p>
            </Card>
          )}
        </div>
      </div>
      <Card title="Latest metrics">
        <LatestMetrics run={run} />
      </Card>
      <MetricCharts run={run} />
      <div className="grid-2 align-start">
        <Card title="Params">
          <Pairs label="Params" pairs={run.params} />
        </Card>
        <Card title="Tags">
          <Pairs label="Tags" pairs={run.tags} />
        </Card>
      </div>
      <RunArtifacts group={run.group} runId={run.id} />
    </>
  );
}

/** `/g/:group/runs/:id`: one run's overview, lineage, metrics and charts, params, tags and artifacts; refreshed while it runs. */
export function RunPage() {
  const params = useParams();
  const group = params.group ?? '';
  const id = params.id ?? '';
  const run = useLoader(() => getRun(group, id), `${group}/${id}`);
  const current = run.data?.id === id && run.data.group === group ? run.data : undefined;
  useInterval(run.reload, current?.status === 'running' ? REFRESH_MS : null);
  return (
    <div className="page" key={`${group}/${id}`}>
      <div>
        <Link to={current ? runsUrl(group, current.experiment) : runsUrl(group)}>← Runs</Link>
      </div>
      <ErrorBanner message={run.error} />
      {current ? <RunView run={current} /> : !run.error && <p className="muted">Loading run…</p>}
    </div>
  );
}
