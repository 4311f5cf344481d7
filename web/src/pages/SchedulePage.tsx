import { useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { deleteSchedule, getSchedule, listScheduleRuns, updateSchedule, type Schedule, type ScheduleRun } from '../api';
import { Card } from '../components/Card';
import { ConfirmButton } from '../components/ConfirmButton';
import { DetailList } from '../components/DetailList';
import { ErrorBanner } from '../components/ErrorBanner';
import { GroupPageHeader } from '../components/GroupPageHeader';
import { SpecDetails } from '../components/JobDetails';
import { LoadMore } from '../components/LoadMore';
import { Notice } from '../components/Notice';
import { OutcomeBadge, ScheduleButtons, ScheduleStatusBadge, TriggeredNotice } from '../components/ScheduleBits';
import { ScheduleForm } from '../components/ScheduleForm';
import { Table, type Column } from '../components/Table';
import { formatDate, formatInZone, fromNow } from '../format';
import { useAction, useInterval, useLoader, usePaged } from '../hooks';
import { jobUrl, schedulesUrl } from '../paths';

const REFRESH_MS = 10_000;

function historyColumns(group: string): Column<ScheduleRun>[] {
  return [
    { header: 'Time', render: (r) => formatDate(r.time) },
    { header: 'For', render: (r) => (r.scheduled_for ? formatDate(r.scheduled_for) : '—') },
    { header: 'Trigger', render: (r) => (r.trigger === 'manual' ? `manual${r.actor ? ` (${r.actor})` : ''}` : 'schedule') },
    { header: 'Outcome', render: (r) => <OutcomeBadge run={r} /> },
    { header: 'Job', render: (r) => (r.job_id !== null ? <Link to={jobUrl(group, r.job_id)}>#{r.job_id}</Link> : '—') },
    { header: 'Message', render: (r) => r.message },
  ];
}

function When({ schedule }: { schedule: Schedule }) {
  const rows: [string, ReactNode][] = [
    ['Runs', <span className="mono" data-testid="schedule-timing">{schedule.preset ? `${schedule.preset} (${schedule.cron})` : schedule.cron}</span>],
    ['Timezone', schedule.timezone],
    ['Runs as', schedule.owner ?? '—'],
    ['Changed', `${formatDate(schedule.updated_at)}${schedule.updated_by ? ` by ${schedule.updated_by}` : ''}`],
  ];
  return (
    <>
      <DetailList rows={rows} />
      <h3>Next runs ({schedule.timezone})</h3>
      {schedule.enabled ? (
        <ol className="next-runs" data-testid="next-runs">
          {schedule.next_runs.map((t) => (
            <li key={t} title={t}>
              {formatInZone(t, schedule.timezone)} <span className="muted">{fromNow(t)}</span>
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted">Disabled: enable it to run on its timetable again.</p>
      )}
    </>
  );
}

function ScheduleView({ schedule, onChanged }: { schedule: Schedule; onChanged: () => void }) {
  const { group, name } = schedule;
  const navigate = useNavigate();
  const action = useAction();
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<ReactNode>(null);
  const runs = usePaged((cursor) => listScheduleRuns(group, name, cursor), `${group}/${name}`);
  const changed = () => {
    onChanged();
    runs.reload();
  };
  useInterval(changed, editing ? null : REFRESH_MS);
  const remove = () => void action.run(() => deleteSchedule(group, name)).then((ok) => ok && navigate(schedulesUrl(group)));

  return (
    <>
      <GroupPageHeader
        group={group}
        title={
          <>
            {name} <ScheduleStatusBadge status={schedule.status} />
          </>
        }
        actions={
          <>
            <ScheduleButtons schedule={schedule} action={action} onTriggered={(run) => setNotice(<TriggeredNotice group={group} name={name} run={run} />)} onChanged={changed} />
            <button type="button" className="btn btn-small" onClick={() => setEditing(!editing)}>
              Edit
            </button>
            <ConfirmButton label="Delete" question={`Delete ${name}? Its jobs stay.`} onConfirm={remove} />
          </>
        }
      />
      <ErrorBanner message={action.error} onDismiss={action.clearError} />
      {schedule.problem && (
        <div className="banner banner-warn" data-testid="schedule-problem">
          Problem: {schedule.problem}
        </div>
      )}
      <Notice>{notice}</Notice>
      {editing && (
        <Card title={`Edit ${name}`}>
          <ScheduleForm
            group={group}
            schedule={schedule}
            submitLabel="Save schedule"
            onSave={async ({ cron, preset, timezone, job }) => {
              await updateSchedule(group, name, { cron, preset, timezone, job });
              setEditing(false);
              setNotice(`Saved ${name}.`);
              changed();
            }}
            onCancel={() => setEditing(false)}
          />
        </Card>
      )}
      <div className="grid-2 align-start">
        <Card title="When">
          <When schedule={schedule} />
        </Card>
        <Card title="Job template">
          <SpecDetails spec={schedule.job} />
        </Card>
      </div>
      <Card title="History">
        <ErrorBanner message={runs.error} />
        <Table label="History" columns={historyColumns(group)} rows={runs.data} rowKey={(r) => String(r.id)} empty="Not run yet." loading={runs.loading} />
        <LoadMore hasMore={runs.hasMore} onClick={runs.loadMore} />
      </Card>
    </>
  );
}

/** `/g/:group/schedules/:name`: timing, next runs, problem, job template and history. */
export function SchedulePage() {
  const params = useParams();
  const group = params.group ?? '';
  const name = params.name ?? '';
  const schedule = useLoader(() => getSchedule(group, name), `${group}/${name}`);
  const current = schedule.data?.group === group && schedule.data.name === name ? schedule.data : undefined;
  return (
    <div className="page" key={`${group}/${name}`}>
      <div>
        <Link to={schedulesUrl(group)}>← All schedules</Link>
      </div>
      <ErrorBanner message={schedule.error} />
      {current ? <ScheduleView schedule={current} onChanged={schedule.reload} /> : !schedule.error && <p className="muted">Loading {name}…</p>}
    </div>
  );
}
