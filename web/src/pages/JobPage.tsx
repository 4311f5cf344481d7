import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { cancelJob, getJob, isActive, rerunJob, type Job } from '../api';
import { ArtifactsCard } from '../components/ArtifactsCard';
import { Card } from '../components/Card';
import { ConfirmButton } from '../components/ConfirmButton';
import { ErrorBanner } from '../components/ErrorBanner';
import { GroupPageHeader } from '../components/GroupPageHeader';
import { AttemptsTable, JobDetails } from '../components/JobDetails';
import { JobStatusBadge } from '../components/JobStatusBadge';
import { LogViewer } from '../components/LogViewer';
import { ResourceCard } from '../components/ResourceCard';
import { useAction, useInterval, useLoader } from '../hooks';
import { jobUrl, jobsUrl, newJobUrl } from '../paths';

/** How often the page asks for the job's state while it is queued or running. */
const REFRESH_MS = 2000;

function JobActions({ job, onChanged }: { job: Job; onChanged: () => void }) {
  const action = useAction();
  const navigate = useNavigate();
  const rerun = () =>
    void action.run(async () => {
      const next = await rerunJob(job.group, job.id);
      navigate(jobUrl(job.group, next.id));
    });
  const cancel = () => void action.run(() => cancelJob(job.group, job.id)).then(onChanged);
  return (
    <>
      {isActive(job.status) && !job.cancel_requested && <ConfirmButton label="Cancel job" question="Cancel this job?" onConfirm={cancel} disabled={action.busy} />}
      <button type="button" className="btn" onClick={rerun} disabled={action.busy} title="Run the same spec again, on the same dataset versions">
        Rerun
      </button>
      <Link className="btn" to={newJobUrl(job.group, job.id)} title="Open the submit form with this job's spec">
        Clone
      </Link>
      {action.error && <ErrorBanner message={action.error} onDismiss={action.clearError} />}
    </>
  );
}

function JobView({ job, onChanged }: { job: Job; onChanged: () => void }) {
  const [chosen, setChosen] = useState<number | null>(null);
  const latest = job.attempts.at(-1);
  const attempt = job.attempts.find((a) => a.number === chosen) ?? latest;
  return (
    <>
      <GroupPageHeader
        group={job.group}
        title={
          <>
            #{job.id} {job.name} <JobStatusBadge status={job.status} />
          </>
        }
        description={<span data-testid="job-reason">{job.reason ?? (isActive(job.status) ? '' : `exit code ${job.exit_code ?? '—'}`)}</span>}
        actions={<JobActions job={job} onChanged={onChanged} />}
      />
      <div className="grid-2 align-start">
        <Card title="Job">
          <JobDetails job={job} />
        </Card>
        <div className="column">
          <ResourceCard job={job} attempt={attempt} />
          <ArtifactsCard job={job} attempt={attempt} />
        </div>
      </div>
      {job.attempts.length > 1 && (
        <Card title="Attempts">
          <AttemptsTable attempts={job.attempts} />
        </Card>
      )}
      <Card
        title={attempt && job.attempts.length > 1 ? `Log of attempt ${attempt.number}` : 'Log'}
        actions={
          job.attempts.length > 1 && (
            <select aria-label="Attempt" value={attempt?.number} onChange={(e) => setChosen(Number(e.target.value))}>
              {job.attempts.map((a) => (
                <option key={a.number} value={a.number}>
                  Attempt {a.number} ({a.status})
                </option>
              ))}
            </select>
          )
        }
      >
        <LogViewer job={job} attempt={attempt} />
      </Card>
    </>
  );
}

/** `/g/:group/jobs/:id`: one job's state and reason, details, log, resources and artifacts. */
export function JobPage() {
  const params = useParams();
  const group = params.group ?? '';
  const id = Number(params.id);
  const job = useLoader(() => getJob(group, id), `${group}/${id}`);
  const current = job.data?.id === id && job.data.group === group ? job.data : undefined;
  useInterval(job.reload, current && isActive(current.status) ? REFRESH_MS : null);
  return (
    <div className="page" key={`${group}/${id}`}>
      <div>
        <Link to={jobsUrl(group)}>← All jobs</Link>
      </div>
      <ErrorBanner message={job.error} />
      {current ? <JobView job={current} onChanged={job.reload} /> : !job.error && <p className="muted">Loading job #{id}…</p>}
    </div>
  );
}
