import { useEffect, useState } from 'react';
import { runArtifactBlob, runArtifactText, runArtifactUrl, type RunArtifact } from '../api';
import { parseCsv } from '../csv';
import { formatBytes } from '../format';
import { useLoader } from '../hooks';
import { ErrorBanner } from './ErrorBanner';

const IMAGES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', svg: 'image/svg+xml', webp: 'image/webp' };
const TEXT = new Set(['txt', 'log', 'md', 'yaml', 'yml', 'toml', 'ini', 'cfg', 'py', 'sh', 'json', 'jsonl', 'csv', 'tsv', 'xml']);
/** Larger files are only offered for download. */
const MAX_TEXT = 2 * 1024 * 1024;
const MAX_IMAGE = 20 * 1024 * 1024;
const CSV_ROWS = 200;

const extension = (path: string) => {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : name.toLowerCase();
};

interface Props {
  group: string;
  runId: string;
  artifact: RunArtifact;
}

/** An image artifact, fetched with the session and shown with its real media type (SVG needs it). */
function ImagePreview({ group, runId, artifact }: Props) {
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let url: string | null = null;
    let current = true;
    runArtifactBlob(group, runId, artifact.path)
      .then((blob) => {
        if (!current) return;
        url = URL.createObjectURL(new Blob([blob], { type: IMAGES[extension(artifact.path)] }));
        setSrc(url);
      })
      .catch((err: unknown) => current && setError(err instanceof Error ? err.message : String(err)));
    return () => {
      current = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [group, runId, artifact.path]);
  if (error) return <ErrorBanner message={error} />;
  return src ? <img className="artifact-image" src={src} alt={artifact.path} /> : <p className="muted">Loading…</p>;
}

function CsvTable({ text, delimiter }: { text: string; delimiter: string }) {
  const [head = [], ...rows] = parseCsv(text, CSV_ROWS + 1, delimiter);
  return (
    <div className="table-wrap artifact-table">
      <table aria-label="Table preview">
        <thead>
          <tr>
            {head.map((cell, i) => (
              <th key={i}>{cell}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, r) => (
            <tr key={r}>
              {row.map((cell, i) => (
                <td key={i} className="mono">
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === CSV_ROWS && <p className="muted">The first {CSV_ROWS} rows.</p>}
    </div>
  );
}

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function TextPreview({ group, runId, artifact }: Props) {
  const ext = extension(artifact.path);
  const loaded = useLoader(() => runArtifactText(group, runId, artifact.path), `${group}/${runId}/${artifact.path}/${artifact.hash}`);
  if (loaded.error) return <ErrorBanner message={loaded.error} />;
  if (!loaded.data) return <p className="muted">Loading…</p>;
  const { text } = loaded.data;
  if (ext === 'csv' || ext === 'tsv') return <CsvTable text={text} delimiter={ext === 'tsv' ? '\t' : ','} />;
  return (
    <pre className="log artifact-text" data-testid="artifact-text">
      {ext === 'json' ? pretty(text) : text}
    </pre>
  );
}

/** A run's artifact: text, JSON (indented), CSV/TSV (as a table) or an image, with a download link. */
export function ArtifactPreview(props: Props) {
  const { group, runId, artifact } = props;
  const ext = extension(artifact.path);
  const image = ext in IMAGES && artifact.size <= MAX_IMAGE;
  const text = !image && (TEXT.has(ext) || !artifact.path.slice(artifact.path.lastIndexOf('/') + 1).includes('.')) && artifact.size <= MAX_TEXT;
  return (
    <section className="artifact-preview" aria-label={`Preview of ${artifact.path}`}>
      <header className="toolbar">
        <span className="mono">{artifact.path}</span>
        <span className="muted">{formatBytes(artifact.size)}</span>
        <a className="btn btn-small" href={runArtifactUrl(group, runId, artifact.path)} download={artifact.path.slice(artifact.path.lastIndexOf('/') + 1)}>
          Download
        </a>
      </header>
      {image && <ImagePreview {...props} />}
      {text && <TextPreview {...props} />}
      {!image && !text && <p className="muted">No preview for this file: download it.</p>}
    </section>
  );
}
