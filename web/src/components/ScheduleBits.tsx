import { Link } from 'react-router-dom';
import { setScheduleEnabled, triggerSchedule, type Schedule, type ScheduleRun, type ScheduleStatus } from '../api';
import { formatDate, formatInZone, fromNow } from '../format';
import type { Action } from '../hooks';
import { jobUrl } from '../paths';

const STATUS_CLASS: Record<ScheduleStatus, string> = { active: 'tag-success', disabled: '', invalid: 'tag-failure' };

export function ScheduleStatusBadge({ status }: { status: ScheduleStatus }) {
  return (
    <span className={`tag ${STATUS_CLASS[status]}`} data-status={status}>
      {status}
    </span>
  );
}

/** "daily in Europe/Paris" or "0 2 * * 1-5 in UTC". */
export function timing(schedule: Schedule): string {
  return `${schedule.preset ?? schedule.cron} in ${schedule.timezone}`;
}

export function NextRun({ schedule }: { schedule: Schedule }) {
  const next = schedule.next_runs[0];
  if (!schedule.enabled) return <span className="muted">disabled</span>;
  if (!next) return <span className="muted">—</span>;
  return (
    <span title={next}>
      {formatInZone(next, schedule.timezone)} <span className="muted">({fromNow(next)})</span>
    </span>
  );
}

const OUTCOME_CLASS: Record<ScheduleRun['outcome'], string> = { submitted: 'tag-success', skipped: '', failed: 'tag-failure' };

export function OutcomeBadge({ run }: { run: ScheduleRun }) {
  return <span className={`tag ${OUTCOME_CLASS[run.outcome]}`}>{run.outcome}</span>;
}

/** A tick or trigger: its outcome and the job it submitted. */
export function RunOutcome({ group, run }: { group: string; run: ScheduleRun }) {
  return (
    <span className="run-outcome">
      <OutcomeBadge run={run} />
      {run.job_id !== null && <Link to={jobUrl(group, run.job_id)}>job #{run.job_id}</Link>}
      <span className="muted">{formatDate(run.time)}</span>
    </span>
  );
}

interface ButtonsProps {
  schedule: Schedule;
  action: Action;
  onTriggered: (run: ScheduleRun) => void;
  onChanged: () => void;
}

/** Trigger now, and enable or disable; errors go to `action` for the page to show. */
export function ScheduleButtons({ schedule, action, onTriggered, onChanged }: ButtonsProps) {
  const { group, name, enabled } = schedule;
  const trigger = () => void action.run(async () => onTriggered(await triggerSchedule(group, name))).then(onChanged);
  const toggle = () => void action.run(() => setScheduleEnabled(group, name, !enabled)).then(onChanged);
  return (
    <>
      <button type="button" className="btn btn-small" disabled={action.busy} onClick={trigger}>
        Trigger now
      </button>
      <button type="button" className="btn btn-small" disabled={action.busy} onClick={toggle}>
        {enabled ? 'Disable' : 'Enable'}
      </button>
    </>
  );
}

/** What a manual trigger did: "Triggered nightly: submitted job 12 (job #12)". */
export function TriggeredNotice({ group, name, run }: { group: string; name: string; run: ScheduleRun }) {
  return (
    <>
      Triggered {name}: {run.message}
      {run.job_id !== null && (
        <>
          {' '}
          (<Link to={jobUrl(group, run.job_id)}>job #{run.job_id}</Link>)
        </>
      )}
    </>
  );
}
