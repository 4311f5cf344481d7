import { artifactUrl, listArtifacts, type Artifact, type Job, type JobAttempt } from '../api';
import { formatBytes } from '../format';
import { usePaged } from '../hooks';
import { Card } from './Card';
import { ErrorBanner } from './ErrorBanner';
import { LoadMore } from './LoadMore';
import { Table, type Column } from './Table';

/** The files an attempt left in $ATRIUM_ARTIFACTS_DIR, kept after it ended, with download links. */
export function ArtifactsCard({ job, attempt }: { job: Job; attempt: JobAttempt | undefined }) {
  const number = attempt?.number ?? 0;
  const ended = attempt?.ended_at !== null;
  const artifacts = usePaged(
    (cursor) => (number ? listArtifacts(job.group, job.id, number, cursor) : Promise.resolve({ items: [], next_cursor: null })),
    `${job.group}/${job.id}/${number}/${ended}`,
  );
  const columns: Column<Artifact>[] = [
    {
      header: 'File',
      render: (a) => (
        <a className="mono" href={artifactUrl(job.group, job.id, a)} download>
          {a.path}
        </a>
      ),
    },
    { header: 'Size', className: 'num', render: (a) => formatBytes(a.size) },
  ];
  const empty = !attempt || ended ? 'No artifacts: files the job leaves in $ATRIUM_ARTIFACTS_DIR are kept here.' : 'Artifacts are collected when the attempt ends.';
  return (
    <Card title="Artifacts">
      <ErrorBanner message={artifacts.error} />
      <Table label="Artifacts" columns={columns} rows={artifacts.data} rowKey={(a) => a.path} empty={empty} loading={artifacts.loading} />
      <LoadMore hasMore={artifacts.hasMore} onClick={artifacts.loadMore} />
    </Card>
  );
}
