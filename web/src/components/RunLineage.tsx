import { Link } from 'react-router-dom';
import { getJob, listModels, listModelVersions, type ModelVersion, type Run } from '../api';
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

/** Models searched for versions of a run; the registry has no query by run. */
const MODELS_SCANNED = 50;

/** Model versions registered from the run, found by reading the versions of the group's models. */
function RegisteredFrom({ run }: { run: Run }) {
  const found = useLoader(async () => {
    const models = await listModels(run.group, '', undefined, MODELS_SCANNED);
    const pages = await Promise.all(models.items.filter((m) => m.version_count > 0).map((m) => listModelVersions(run.group, m.name)));
    const versions: ModelVersion[] = pages.flatMap((page) => page.items.filter((v) => v.run_id === run.id));
    return { versions, partial: models.next_cursor !== null };
  }, `${run.group}/${run.id}`);
  if (found.error) return <span className="muted">{found.error}</span>;
  if (!found.data) return <span className="muted">…</span>;
  const { versions, partial } = found.data;
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
      {partial && <span className="muted">(among the first {MODELS_SCANNED} models)</span>}
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
