import { diffVersions, type DiffEntry, type DiffPage, type Version } from '../api';
import { formatBytes } from '../format';
import { usePaged, type Paged } from '../hooks';
import { ErrorBanner } from './ErrorBanner';
import { LoadMore } from './LoadMore';
import { VersionSelect } from './VersionSelect';

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

function size(entry: DiffEntry): string {
  if (entry.old && entry.new) return `${formatBytes(entry.old.size)} → ${formatBytes(entry.new.size)}`;
  return formatBytes((entry.new ?? entry.old)?.size ?? 0);
}

/** The changes read so far, in path order, under the totals of the whole diff. */
function DiffTable({ diff, head }: { diff: Paged<DiffEntry, DiffPage>; head: DiffPage }) {
  const { summary } = head;
  const rows = diff.data ?? [];
  if (!rows.length) return <p className="muted">{head.from} and {head.to} hold the same files.</p>;
  const total = summary.added + summary.removed + summary.modified;
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
        <table aria-label={`Changes from ${head.from} to ${head.to}`}>
          <thead>
            <tr>
              <th>Change</th>
              <th>Path</th>
              <th className="num">Size</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.path} className={`diff-${row.change}`} data-change={row.change} data-path={row.path}>
                <td>
                  <span className={`tag tag-${row.change}`}>{row.change}</span>
                </td>
                <td className="mono">{row.path}</td>
                <td className="num">{size(row)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {diff.hasMore && (
        <p className="muted" data-testid="diff-shown">
          Showing {rows.length} of {total} changes.
        </p>
      )}
      <LoadMore hasMore={diff.hasMore} onClick={diff.loadMore} />
    </>
  );
}

/** What changed between two versions: files added, removed and modified, with their sizes. */
export function DiffView({ owner, name, versions, comparison, onChange }: Props) {
  const { from, to } = comparison;
  const diff = usePaged((cursor) => diffVersions(owner, name, from, to, cursor), `${owner}/${name}:${from}..${to}`);
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
      {!diff.loading && !diff.error && diff.head && <DiffTable diff={diff} head={diff.head} />}
    </div>
  );
}
