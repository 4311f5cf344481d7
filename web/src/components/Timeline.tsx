import type { Version } from '../api';
import { formatBytes, formatDate } from '../format';
import { VersionTags } from './VersionTags';

interface Props {
  versions: Version[];
  /** The version whose files are shown below, highlighted here. */
  browsing: string | null;
  onBrowse: (version: Version) => void;
  onCompare: (version: Version) => void;
}

function Summary({ version }: { version: Version }) {
  const { files, bytes, added, removed, changed } = version.summary;
  return (
    <div className="timeline-summary">
      <span className="delta delta-added" title="files added">+{added}</span>
      <span className="delta delta-removed" title="files removed">−{removed}</span>
      <span className="delta delta-changed" title="files changed">~{changed}</span>
      <span className="muted">
        {files} {files === 1 ? 'file' : 'files'} · {formatBytes(bytes)}
      </span>
    </div>
  );
}

/** The dataset's versions, newest first, with what each one changed. */
export function Timeline({ versions, browsing, onBrowse, onCompare }: Props) {
  if (!versions.length) return <p className="muted">No versions yet.</p>;
  return (
    <ol className="timeline" aria-label="Version timeline" data-testid="timeline">
      {versions.map((v) => (
        <li key={v.name} className={v.name === browsing ? 'timeline-item current' : 'timeline-item'} data-version={v.name}>
          <div className="timeline-head">
            <strong className="mono">{v.name}</strong>
            <span className="timeline-message">{v.message || <span className="muted">no message</span>}</span>
            <VersionTags tags={v.tags} />
          </div>
          <div className="muted">
            {v.author ?? 'unknown'} · {formatDate(v.created_at)}
          </div>
          <div className="timeline-foot">
            <Summary version={v} />
            <span className="timeline-actions">
              <button type="button" className="btn btn-small" onClick={() => onBrowse(v)}>
                Files
              </button>
              {v.parent && (
                <button type="button" className="btn btn-small" onClick={() => onCompare(v)}>
                  Diff with {v.parent}
                </button>
              )}
            </span>
          </div>
        </li>
      ))}
    </ol>
  );
}
