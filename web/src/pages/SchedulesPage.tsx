import { useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import { listSchedules, type Schedule } from '../api';
import { Card } from '../components/Card';
import { ErrorBanner } from '../components/ErrorBanner';
import { GroupPageHeader } from '../components/GroupPageHeader';
import { LoadMore } from '../components/LoadMore';
import { Notice } from '../components/Notice';
import { NextRun, RunOutcome, ScheduleButtons, ScheduleStatusBadge, TriggeredNotice, timing } from '../components/ScheduleBits';
import { Table, type Column } from '../components/Table';
import { useAction, useInterval, usePaged } from '../hooks';
import { scheduleUrl, schedulesUrl } from '../paths';

/** Next runs and last outcomes move on by themselves: refresh now and then. */
const REFRESH_MS = 15_000;

/** `/g/:group/schedules`: the group's schedules, their next runs and problems. */
export function SchedulesPage() {
  const group = useParams().group ?? '';
  const schedules = usePaged((cursor) => listSchedules(group, cursor), group);
  useInterval(schedules.reload, REFRESH_MS);
  const action = useAction();
  const [notice, setNotice] = useState<ReactNode>(null);

  const columns: Column<Schedule>[] = [
    { header: 'Name', render: (s) => <Link to={scheduleUrl(group, s.name)}>{s.name}</Link> },
    { header: 'When', render: (s) => <span className="mono">{timing(s)}</span> },
    {
      header: 'Status',
      render: (s) => (
        <>
          <ScheduleStatusBadge status={s.status} />
          {s.problem && <div className="problem">{s.problem}</div>}
        </>
      ),
    },
    { header: 'Next run', render: (s) => <NextRun schedule={s} /> },
    { header: 'Last run', render: (s) => (s.last_run ? <RunOutcome group={group} run={s.last_run} /> : <span className="muted">never</span>) },
    { header: 'Runs as', render: (s) => s.owner ?? '—' },
    {
      header: 'Actions',
      className: 'actions',
      render: (s) => (
        <ScheduleButtons schedule={s} action={action} onTriggered={(run) => setNotice(<TriggeredNotice group={group} name={s.name} run={run} />)} onChanged={schedules.reload} />
      ),
    },
  ];

  return (
    <div className="page" key={group}>
      <GroupPageHeader
        group={group}
        title="Schedules"
        description="Jobs submitted on a timetable. A tick is skipped while the schedule's previous job still runs."
        actions={
          <Link className="btn btn-primary" to={`${schedulesUrl(group)}/new`}>
            New schedule
          </Link>
        }
      />
      <Card title="Schedules">
        <ErrorBanner message={schedules.error ?? action.error} onDismiss={action.clearError} />
        <Notice>{notice}</Notice>
        <Table label="Schedules" columns={columns} rows={schedules.data} rowKey={(s) => s.name} empty="No schedules yet: create one with New schedule." loading={schedules.loading} />
        <LoadMore hasMore={schedules.hasMore} onClick={schedules.loadMore} />
      </Card>
    </div>
  );
}
