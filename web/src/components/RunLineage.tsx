import { Link } from 'react-router-dom';
import { getJob, runModelVersions, type Run } from '../api';
import { datasetRef } from '../datasetref';
import { useLoader } from '../hooks';
import { datasetUrl, jobUrl, versionUrl } from '../paths';
import { DetailList } from './DetailList';

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

/** Model versions registered from the run. */
function RegisteredFrom({ run }: { run: Run }) {
  const found = useLoader(() => runModelVersions(run.group, run.id), `${run.group}/${run.id}`);
  if (found.error) return <span className="muted">{found.error}</span>;
  if (!found.data) return <span className="muted">…</span>;
  const versions = found.data;
  return (
    <>
      {versions.length === 0 && <span className="muted">none</span>}
      <ul className="plain-list" aria-label="Registered models">
        {versions.map((v) => (
          <li key={`${v.model}/${v.version}`}>
            <Link to={versionUrl(run.group, v.model, v.version)}>
              {v.model} v{v.version}
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}

/** Where the run came from (the dataset versions it read, the job that ran it) and the models made from it. */
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
        ['Registered as', <RegisteredFrom key="models" run={run} />],
      ]}
    />
  );
}
