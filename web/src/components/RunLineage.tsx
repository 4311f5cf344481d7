import { Link } from 'react-router-dom';
import { getJob, type Run } from '../api';
import { useLoader } from '../hooks';
import { datasetUrl, jobUrl } from '../paths';
import { DetailList } from './DetailList';

/** `owner/name@v3` as its parts, for a link to the dataset's page. */
function datasetRef(input: string): { owner: string; name: string; version: string } | null {
  const match = /^([^/]+)\/([^@:]+)(?:[@:](.+))?$/.exec(input);
  return match ? { owner: match[1] ?? '', name: match[2] ?? '', version: match[3] ?? '' } : null;
}

function JobLink({ group, jobId }: { group: string; jobId: number }) {
  const job = useLoader(() => getJob(group, jobId), `${group}/${jobId}`);
  return (
    <>
      <Link to={jobUrl(group, jobId)}>
        #{jobId}
        {job.data ? ` ${job.data.name}` : ''}
      </Link>
      {job.data?.environment && (
        <span className="muted">
          {' '}
          in environment <span className="mono">{job.data.environment}</span>
        </span>
      )}
    </>
  );
}

/** Where the run came from: the dataset versions it read and the job that ran it. */
export function RunLineage({ run }: { run: Run }) {
  const inputs = run.inputs.length ? (
    <ul className="plain-list" aria-label="Inputs">
      {run.inputs.map((input) => {
        const ref = datasetRef(input);
        return (
          <li key={input}>
            {ref ? (
              <Link className="mono" to={datasetUrl(run.group, ref.owner, ref.name)}>
                {input}
              </Link>
            ) : (
              <span className="mono">{input}</span>
            )}
          </li>
        );
      })}
    </ul>
  ) : (
    <span className="muted">none recorded</span>
  );
  const job = run.source.job_id ? <JobLink group={run.group} jobId={run.source.job_id} /> : <span className="muted">not run by a job</span>;
  return (
    <DetailList
      testId="run-lineage"
      rows={[
        ['Dataset versions', inputs],
        ['Job', job],
      ]}
    />
  );
}
