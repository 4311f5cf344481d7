// Following a job attempt's log: read from an offset, append, and poll while the attempt runs.

import { useEffect, useRef, useState } from 'react';
import { getJobLog, type JobAttempt } from './api';

/** A long log is read from this many bytes before its end; the full log is a download. */
const WINDOW = 1 << 20;
/** The most text kept in the page; older output is dropped as new output arrives. */
const MAX_CHARS = 4 << 20;
const POLL_MS = 1000;
const RETRY_MS = 3000;

export interface LogTail {
  text: string;
  /** Everything the attempt wrote has been read, and it has ended. */
  ended: boolean;
  /** Earlier output is not shown (the log is longer than what the page keeps). */
  clipped: boolean;
  error: string | null;
}

const EMPTY: LogTail = { text: '', ended: false, clipped: false, error: null };

function keepTail(text: string): [string, boolean] {
  if (text.length <= MAX_CHARS) return [text, false];
  const cut = text.slice(-MAX_CHARS);
  return [cut.slice(cut.indexOf('\n') + 1), true];
}

/** The log of `attempt` (none yet: nothing to read), followed until the attempt ends. */
export function useLogTail(group: string, jobId: number, attempt: JobAttempt | undefined): LogTail {
  const [tail, setTail] = useState<LogTail>(EMPTY);
  const number = attempt?.number;
  const size = useRef(0);
  useEffect(() => {
    size.current = attempt?.log_bytes ?? 0;
  });

  useEffect(() => {
    if (number === undefined) return undefined;
    let live = true;
    let timer: number | undefined;
    let offset = Math.max(0, size.current - WINDOW);
    let partialLine = offset > 0;
    setTail({ ...EMPTY, clipped: offset > 0 });
    const step = async () => {
      try {
        const piece = await getJobLog(group, jobId, number, offset);
        if (!live) return;
        offset = piece.nextOffset;
        let text = piece.text;
        if (partialLine) {
          // Started inside the log: drop the line we came in halfway through.
          const newline = text.indexOf('\n');
          partialLine = newline < 0;
          text = partialLine ? '' : text.slice(newline + 1);
        }
        setTail((old) => {
          const [kept, cut] = keepTail(old.text + text);
          return { text: kept, ended: piece.ended, clipped: old.clipped || cut, error: null };
        });
        if (!piece.ended) timer = window.setTimeout(step, piece.text ? 0 : POLL_MS);
      } catch (err) {
        if (!live) return;
        setTail((old) => ({ ...old, error: err instanceof Error ? err.message : String(err) }));
        timer = window.setTimeout(step, RETRY_MS);
      }
    };
    void step();
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [group, jobId, number]);

  return number === undefined ? EMPTY : tail;
}
