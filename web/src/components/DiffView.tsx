import { diffVersions, type Diff, type Version } from '../api';
import { formatBytes } from '../format';
import { useLoader } from '../hooks';
import { ErrorBanner } from './ErrorBanner';
import { VersionSelect } from './VersionSelect';

/** Rows rendered at most; the summary still counts everything. */
const MAX_ROWS = 2000;

export interface Comparison {
  from: string;
  to: string;
}

interface Props {
  owner: string;
  name: string;
  versions: Version[];
  comparison: Comparison;
  onChange: (comparison: Comparison) => void;
}

type Change = 'added' | 'removed' | 'modified';

interface Row {
  change: Change;
  path: string;
  size: string;
}

function rows(diff: Diff): Row[] {
  return [
    ...diff.added.map((f) => ({ change: 'added' as const, path: f.path, size: formatBytes(f.size) })),
    ...diff.removed.map((f) => ({ change: 'removed' as const, path: f.path, size: formatBytes(f.size) })),
    ...diff.modified.map((m) => ({
      change: 'modified' as const,
      path: m.path,
      size: `${formatBytes(m.old.size)} → ${formatBytes(m.new.size)}`,
    })),
  ].sort((a, b) => (a.path < b.path ? -1 : 1));
}

function DiffTable({ diff }: { diff: Diff }) {
  const { summary } = diff;
  const all = rows(diff);
  if (!all.length) return <p className="muted">{diff.from} and {diff.to} hold the same files.</p>;
  return (
    <>
      <div className="diff-summary" data-testid="diff-summary">
        <span className="delta delta-added">+{summary.added} added</span>
        <span className="delta delta-removed">−{summary.removed} removed</span>
        <span className="delta delta-changed">~{summary.modified} modified</span>
        <span className="muted">
          {formatBytes(summary.bytes_added)} added, {formatBytes(summary.bytes_removed)} removed
        </span>
      </div>
      <div className="table-wrap">
        <table aria-label={`Changes from ${diff.from} to ${diff.to}`}>
          <thead>
            <tr>
              <th>Change</th>
              <th>Path</th>
              <th className="num">Size</th>
            </tr>
          </thead>
          <tbody>
            {all.slice(0, MAX_ROWS).map((row) => (
              <tr key={row.path} className={`diff-${row.change}`} data-change={row.change} data-path={row.path}>
                <td>
                  <span className={`tag tag-${row.change}`}>{row.change}</span>
                </td>
                <td className="mono">{row.path}</td>
                <td className="num">{row.size}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {all.length > MAX_ROWS && <p className="muted">…and {all.length - MAX_ROWS} more changes.</p>}
    </>
  );
}

/** What changed between two versions: files added, removed and modified, with their sizes. */
export function DiffView({ owner, name, versions, comparison, onChange }: Props) {
  const { from, to } = comparison;
  const diff = useLoader(() => diffVersions(owner, name, from, to), `${owner}/${name}:${from}..${to}`);
  return (
    <div className="stack" data-testid="diff-view">
      <div className="inline-form">
        <span className="muted">From</span>
        <VersionSelect name="diff-from" label="Compare from" versions={versions} value={from} onChange={(v) => onChange({ from: v, to })} />
        <span className="muted">to</span>
        <VersionSelect name="diff-to" label="Compare to" versions={versions} value={to} onChange={(v) => onChange({ from, to: v })} />
      </div>
      <ErrorBanner message={diff.error} />
      {diff.loading && <p className="muted">Comparing…</p>}
      {!diff.loading && !diff.error && diff.data && <DiffTable diff={diff.data} />}
    </div>
  );
}
