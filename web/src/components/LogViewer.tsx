import { useEffect, useRef, useState } from 'react';
import { jobLogUrl, type Job, type JobAttempt } from '../api';
import { useLogTail } from '../logtail';
import { ErrorBanner } from './ErrorBanner';

interface Props {
  job: Job;
  attempt: JobAttempt | undefined;
}

function status(attempt: JobAttempt | undefined, ended: boolean, empty: boolean): string {
  if (!attempt) return 'The job has not started yet: its log appears here when it runs.';
  if (ended) return empty ? 'The job printed nothing.' : 'End of the log.';
  return empty ? 'Waiting for output…' : 'Following the log as the job writes it…';
}

/** An attempt's log, following new output while it runs; sticks to the bottom unless scrolled up. */
export function LogViewer({ job, attempt }: Props) {
  const tail = useLogTail(job.group, job.id, attempt);
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLPreElement>(null);

  useEffect(() => {
    const pre = box.current;
    if (follow && pre) pre.scrollTop = pre.scrollHeight;
  }, [tail.text, follow]);

  const onScroll = () => {
    const pre = box.current;
    if (pre) setFollow(pre.scrollHeight - pre.scrollTop - pre.clientHeight < 8);
  };

  return (
    <div className="stack">
      <div className="log-toolbar">
        <span className="muted" data-testid="log-status">
          {status(attempt, tail.ended, tail.text === '')}
        </span>
        <label className="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          Follow
        </label>
        {attempt && (
          <a className="btn btn-small" href={jobLogUrl(job.group, job.id, attempt.number)} download>
            Download log
          </a>
        )}
      </div>
      <ErrorBanner message={tail.error} />
      {tail.clipped && <p className="muted">Earlier output is not shown here: download the log to see all of it.</p>}
      <pre className="log" data-testid="job-log" ref={box} onScroll={onScroll} tabIndex={0}>
        {tail.text}
      </pre>
    </div>
  );
}
