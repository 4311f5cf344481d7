import type { JobStatus } from '../api';

const LABELS: Record<JobStatus, string> = {
  queued: 'queued',
  admitted: 'starting',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  timed_out: 'timed out',
};

/** A job's (or an attempt's) state as a coloured pill; running ones pulse. */
export function JobStatusBadge({ status }: { status: JobStatus }) {
  return (
    <span className={`tag status status-${status}`} data-status={status}>
      {LABELS[status]}
    </span>
  );
}
