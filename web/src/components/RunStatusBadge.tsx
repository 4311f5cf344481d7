import type { RunStatus } from '../api';

/** The job badge colours, reused: running pulses, finished is green, failed red, killed amber. */
const CLASSES: Record<RunStatus, string> = {
  running: 'status-running',
  finished: 'status-succeeded',
  failed: 'status-failed',
  killed: 'status-timed_out',
};

export function RunStatusBadge({ status }: { status: RunStatus }) {
  return (
    <span className={`tag status ${CLASSES[status]}`} data-status={status}>
      {status}
    </span>
  );
}
