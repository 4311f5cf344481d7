import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import type { Lineage } from '../api';
import { datasetRef } from '../datasetref';
import { datasetUrl, jobUrl, runUrl } from '../paths';

function Node({ kind, title, children }: { kind: string; title: ReactNode; children?: ReactNode }) {
  return (
    <div className="lineage-node" data-kind={kind}>
      <div className="lineage-kind">{kind}</div>
      <div className="lineage-title">{title}</div>
      {children && <div className="lineage-body muted">{children}</div>}
    </div>
  );
}

const Arrow = () => (
  <div className="lineage-arrow" aria-hidden="true">
    →
  </div>
);

/** Version → run → job → environment → dataset versions, left to right, each a linked card. */
export function LineageChain({ group, lineage }: { group: string; lineage: Lineage }) {
  const { run, job } = lineage;
  return (
    <div className="lineage" role="group" aria-label="Lineage">
      <Node kind="Model version" title={`${lineage.model} v${lineage.version}`} />
      <Arrow />
      {run ? (
        <Node kind="Run" title={run.deleted ? <s>{run.name}</s> : <Link to={runUrl(group, run.id)}>{run.name}</Link>}>
          {run.experiment} · {run.status}
          {run.deleted && ' · deleted'}
        </Node>
      ) : (
        <Node kind="Run" title={<span className="muted">uploaded, no run</span>} />
      )}
      <Arrow />
      {job ? (
        <Node kind="Job" title={<Link to={jobUrl(group, job.id)}>#{job.id} {job.name}</Link>}>
          {job.instance_type} · {job.status}
        </Node>
      ) : (
        <Node kind="Job" title={<span className="muted">not run by a job</span>} />
      )}
      <Arrow />
      <Node kind="Environment" title={job ? <span className="mono">{lineage.environment ?? "the server's"}</span> : <span className="muted">—</span>} />
      <Arrow />
      <div className="lineage-node" data-kind="Datasets">
        <div className="lineage-kind">Dataset versions</div>
        {lineage.datasets.length === 0 && <div className="lineage-title muted">none recorded</div>}
        {lineage.datasets.map((input) => {
          const ref = datasetRef(input);
          return (
            <div key={input} className="lineage-title">
              {ref ? (
                <Link className="mono" to={datasetUrl(group, ref.owner, ref.name)}>
                  {input}
                </Link>
              ) : (
                <span className="mono">{input}</span>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
