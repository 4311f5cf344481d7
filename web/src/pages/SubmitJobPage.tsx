import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { cloneJob, submitJob } from '../api';
import { Card } from '../components/Card';
import { ErrorBanner } from '../components/ErrorBanner';
import { GroupPageHeader } from '../components/GroupPageHeader';
import { JobFields } from '../components/JobFields';
import { useAction, useLoader } from '../hooks';
import { EMPTY_DRAFT, draftFrom, specFrom, type JobDraft } from '../jobdraft';
import { jobUrl, jobsUrl } from '../paths';

function SubmitForm({ group, initial }: { group: string; initial: JobDraft }) {
  const [draft, setDraft] = useState(initial);
  const action = useAction();
  const navigate = useNavigate();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await action.run(async () => {
      const job = await submitJob(group, specFrom(draft));
      navigate(jobUrl(group, job.id));
    });
  };
  return (
    <form className="stack" onSubmit={submit} aria-label="Submit job">
      <JobFields group={group} draft={draft} onChange={setDraft} />
      <ErrorBanner message={action.error} onDismiss={action.clearError} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={action.busy}>
          Submit job
        </button>
        <Link className="btn" to={jobsUrl(group)}>
          Cancel
        </Link>
      </div>
    </form>
  );
}

/** `/g/:group/jobs/new[?clone=ID]`: the submit form, empty or prefilled with another job's spec. */
export function SubmitJobPage() {
  const group = useParams().group ?? '';
  const cloneOf = Number(useSearchParams()[0].get('clone')) || undefined;
  const clone = useLoader(() => (cloneOf ? cloneJob(group, cloneOf) : Promise.resolve(null)), `${group}/${cloneOf ?? ''}`);
  const ready = !cloneOf || (clone.data && !clone.loading);
  return (
    <div className="page" key={group}>
      <GroupPageHeader
        group={group}
        title={cloneOf ? `New job from #${cloneOf}` : 'New job'}
        description="The job waits in the group's queue until its instance type fits in the quota, then runs."
      />
      <Card title="Job">
        <ErrorBanner message={clone.error} />
        {ready ? <SubmitForm key={cloneOf ?? 0} group={group} initial={clone.data ? draftFrom(clone.data) : EMPTY_DRAFT} /> : !clone.error && <p className="muted">Loading job #{cloneOf}…</p>}
      </Card>
    </div>
  );
}
