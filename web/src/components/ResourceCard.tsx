import { listSamples, type Job, type JobAttempt, type ResourceSample } from '../api';
import { useInterval, useLoader } from '../hooks';
import { Card } from './Card';
import { ResourceChart } from './Charts';
import { ErrorBanner } from './ErrorBanner';

/** At 5 s a sample, 20 pages of 500 cover about 14 hours. */
const MAX_PAGES = 20;

async function allSamples(group: string, id: number, attempt: number): Promise<ResourceSample[]> {
  const samples: ResourceSample[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const { items, next_cursor } = await listSamples(group, id, attempt, cursor);
    samples.push(...items);
    if (!next_cursor) break;
    cursor = next_cursor;
  }
  return samples;
}

/** CPU and memory of one attempt over time, refreshed while it runs. */
export function ResourceCard({ job, attempt }: { job: Job; attempt: JobAttempt | undefined }) {
  const number = attempt?.number ?? 0;
  const running = attempt !== undefined && attempt.ended_at === null;
  const samples = useLoader(
    () => (number ? allSamples(job.group, job.id, number) : Promise.resolve([])),
    `${job.group}/${job.id}/${number}/${running}`,
  );
  const count = samples.data?.length ?? 0;
  useInterval(samples.reload, running ? (count > 500 ? 30_000 : 5_000) : null);
  return (
    <Card title="Resources">
      <ErrorBanner message={samples.error} />
      {count > 0 && samples.data ? (
        <ResourceChart samples={samples.data} />
      ) : (
        <p className="empty-state">
          {running || !attempt ? 'CPU and memory samples appear here every few seconds while the job runs.' : 'The job ended before its first sample.'}
        </p>
      )}
    </Card>
  );
}
