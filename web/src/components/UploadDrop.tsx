import { useState, type ChangeEvent, type DragEvent } from 'react';
import type { Version } from '../api';
import { fromDataTransfer, fromFileList } from '../dropfiles';
import { formatBytes } from '../format';
import { useAction } from '../hooks';
import { MAX_UPLOAD_BYTES, MAX_UPLOAD_FILES, pushVersion, type Progress, type StagedFile } from '../push';
import { ErrorBanner } from './ErrorBanner';
import { Notice } from './Notice';

/** Staged files listed by name; the rest are counted. */
const LISTED = 50;

interface Props {
  owner: string;
  name: string;
  latest: string | null;
  onPushed: (version: Version) => void;
  /** A push failed: the dataset may have moved on (a 409 names the new latest), so refresh it. */
  onFailed: () => void;
}

const PHASES: Record<Progress['phase'], string> = {
  hashing: 'Hashing files',
  planning: 'Asking the server which files it lacks',
  uploading: 'Uploading',
  committing: 'Creating the version',
};

function totalBytes(files: StagedFile[]): number {
  return files.reduce((sum, f) => sum + f.file.size, 0);
}

/** Adds `more` to `staged` (a path dropped again replaces the earlier file) or says why not. */
function stage(staged: StagedFile[], more: StagedFile[], dataset: string): StagedFile[] | string {
  const byPath = new Map(staged.map((f) => [f.path, f]));
  for (const f of more) if (f.path) byPath.set(f.path, f);
  const files = [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
  const bytes = totalBytes(files);
  if (files.length > MAX_UPLOAD_FILES || bytes > MAX_UPLOAD_BYTES) {
    const count = files.length > MAX_UPLOAD_FILES ? `more than ${MAX_UPLOAD_FILES.toLocaleString()}` : files.length.toLocaleString();
    return (
      `Too large for the browser: that makes ${count} files and ${formatBytes(bytes)}. The dashboard uploads at most ` +
      `${MAX_UPLOAD_FILES.toLocaleString()} files and ${formatBytes(MAX_UPLOAD_BYTES)} per version; ` +
      `push larger versions with the CLI: atrium datasets push DIR ${dataset}`
    );
  }
  return files;
}

function ProgressBar({ progress }: { progress: Progress }) {
  const { phase, done, total, bytes, bytesTotal } = progress;
  const measured = phase === 'hashing' || phase === 'uploading';
  const ratio = measured && bytesTotal > 0 ? bytes / bytesTotal : measured && done === total ? 1 : 0;
  const unit = phase === 'hashing' ? 'files' : 'new blobs';
  return (
    <div className="upload-progress" data-testid="upload-progress" data-phase={phase}>
      <div className="quota-head">
        <span className="quota-label">{PHASES[phase]}…</span>
        {measured && (
          <span className="quota-value">
            {done} of {total} {unit} · {formatBytes(bytes)} of {formatBytes(bytesTotal)}
          </span>
        )}
      </div>
      <div
        className={measured ? 'bar' : 'bar bar-unlimited'}
        role="progressbar"
        aria-label={PHASES[phase]}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={measured ? Math.round(ratio * 100) : undefined}
      >
        {measured && <div className="bar-fill" style={{ width: `${ratio * 100}%` }} />}
      </div>
    </div>
  );
}

function StagedList({ files, onClear, disabled }: { files: StagedFile[]; onClear: () => void; disabled: boolean }) {
  return (
    <div className="subpanel" data-testid="staged-files">
      <div className="staged-head">
        <strong>
          {files.length} {files.length === 1 ? 'file' : 'files'}, {formatBytes(totalBytes(files))}
        </strong>
        <button type="button" className="btn btn-small" onClick={onClear} disabled={disabled}>
          Clear
        </button>
      </div>
      <ul className="staged-list">
        {files.slice(0, LISTED).map((f) => (
          <li key={f.path}>
            <span className="mono">{f.path}</span>
            <span className="muted">{formatBytes(f.file.size)}</span>
          </li>
        ))}
      </ul>
      {files.length > LISTED && <p className="muted">…and {files.length - LISTED} more.</p>}
    </div>
  );
}

/** Drop files or a folder, then push them as a new version: hashed here, only new bytes uploaded. */
export function UploadDrop({ owner, name, latest, onPushed, onFailed }: Props) {
  const [staged, setStaged] = useState<StagedFile[]>([]);
  const [message, setMessage] = useState('');
  const [startFromLatest, setStartFromLatest] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [pushed, setPushed] = useState<Version | null>(null);
  const action = useAction();
  const busy = action.busy;

  const add = (more: StagedFile[]) => {
    const next = stage(staged, more, `${owner}/${name}`);
    setRefusal(typeof next === 'string' ? next : null);
    if (typeof next !== 'string') setStaged(next);
  };
  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    if (busy) return;
    fromDataTransfer(event.dataTransfer, MAX_UPLOAD_FILES).then(add, (err: unknown) =>
      setRefusal(`Cannot read what was dropped: ${err instanceof Error ? err.message : String(err)}`),
    );
  };
  const onPick = (event: ChangeEvent<HTMLInputElement>) => {
    if (event.target.files) add(fromFileList(event.target.files));
    event.target.value = '';
  };
  const push = () => {
    setPushed(null);
    const request = { owner, name, files: staged, message: message.trim(), latest, startFromLatest, onProgress: setProgress };
    void action
      .run(async () => {
        const version = await pushVersion(request);
        setPushed(version);
        setStaged([]);
        setMessage('');
        onPushed(version);
      })
      .then((ok) => {
        setProgress(null);
        if (!ok) onFailed();
      });
  };

  return (
    <div className="stack">
      <div
        className={dragging ? 'dropzone dragging' : 'dropzone'}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          if (!busy) setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>
          <strong>Drop files or a folder here</strong>
        </p>
        <p className="muted">
          Up to {MAX_UPLOAD_FILES.toLocaleString()} files and {formatBytes(MAX_UPLOAD_BYTES)}. Folders keep their relative paths.
        </p>
        <div className="inline-form dropzone-buttons">
          <label className="btn btn-small file-button">
            Choose files
            <input type="file" multiple className="visually-hidden" data-testid="upload-input" disabled={busy} onChange={onPick} />
          </label>
          <label className="btn btn-small file-button">
            Choose folder
            <input
              type="file"
              className="visually-hidden"
              data-testid="upload-folder-input"
              disabled={busy}
              onChange={onPick}
              ref={(input) => {
                if (input) input.webkitdirectory = true;
              }}
            />
          </label>
        </div>
      </div>
      <ErrorBanner message={refusal} onDismiss={() => setRefusal(null)} />
      {staged.length > 0 && <StagedList files={staged} onClear={() => setStaged([])} disabled={busy} />}
      <div className="inline-form">
        <input
          name="version-message"
          className="grow"
          placeholder="message, e.g. add validation images"
          value={message}
          onChange={(e) => setMessage(e.target.value)}
          disabled={busy}
        />
        {latest && (
          <label className="check" title="Keep the files of the latest version; the dropped files are added or replace files at the same path.">
            <input
              name="start-from-latest"
              type="checkbox"
              checked={startFromLatest}
              disabled={busy}
              onChange={(e) => setStartFromLatest(e.target.checked)}
            />
            Start from {latest} (keep its files)
          </label>
        )}
        <button type="button" className="btn btn-primary" disabled={busy || staged.length === 0} onClick={push}>
          Upload new version
        </button>
      </div>
      {progress && <ProgressBar progress={progress} />}
      <ErrorBanner message={action.error} onDismiss={action.clearError} />
      <Notice>
        {pushed && (
          <span data-testid="upload-result">
            Created <strong>{pushed.name}</strong>: {pushed.summary.files} files, {formatBytes(pushed.summary.bytes)} (+
            {pushed.summary.added} −{pushed.summary.removed} ~{pushed.summary.changed}).
          </span>
        )}
      </Notice>
    </div>
  );
}
