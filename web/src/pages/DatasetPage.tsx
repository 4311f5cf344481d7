import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { getDataset, listVersions, type Dataset, type Version } from '../api';
import { AccessBadge } from '../components/AccessBadge';
import { Card } from '../components/Card';
import { DiffView, type Comparison } from '../components/DiffView';
import { ErrorBanner } from '../components/ErrorBanner';
import { FileTree } from '../components/FileTree';
import { GrantEditor } from '../components/GrantEditor';
import { LoadMore } from '../components/LoadMore';
import { TagEditor } from '../components/TagEditor';
import { Timeline } from '../components/Timeline';
import { UploadDrop } from '../components/UploadDrop';
import { VersionSelect } from '../components/VersionSelect';
import { useLoader, usePaged } from '../hooks';
import { datasetsUrl } from '../paths';
import { canManageGroup, useSession } from '../session';

const ACCESS_LABELS: Record<Dataset['access'], string> = { owner: 'owner', write: 'read-write', read: 'read-only' };

function DatasetHeader({ group, dataset }: { group: string; dataset: Dataset }) {
  return (
    <div className="page-header">
      <div>
        <div className="eyebrow">
          <Link to={datasetsUrl(group)}>Datasets</Link> / {dataset.group}
        </div>
        <h1>
          <span data-testid="dataset-name">{dataset.name}</span>
          <AccessBadge dataset={dataset} />
        </h1>
        {dataset.description && <p className="muted">{dataset.description}</p>}
      </div>
      <div className="stats">
        <div>
          <div className="stat-value">{dataset.version_count}</div>
          <div className="stat-label">versions</div>
        </div>
        <div>
          <div className="stat-value mono">{dataset.latest ?? '—'}</div>
          <div className="stat-label">latest</div>
        </div>
        <div>
          <div className="stat-value">{ACCESS_LABELS[dataset.access]}</div>
          <div className="stat-label">your access</div>
        </div>
      </div>
    </div>
  );
}

/** The server keeps `latest` out of a version's tags (it is implied); show it on the newest version. */
function withLatest(versions: Version[]): Version[] {
  return versions.map((v, i) => (i === 0 && !v.tags.includes('latest') ? { ...v, tags: ['latest', ...v.tags] } : v));
}

/** Brings a card that just changed below the timeline into view. */
function reveal(id: string) {
  window.requestAnimationFrame(() => document.getElementById(id)?.scrollIntoView({ behavior: 'smooth', block: 'start' }));
}

/** The newest version against its parent, when there are two versions to compare. */
function defaultComparison(versions: Version[]): Comparison | null {
  const [newest, previous] = versions;
  return newest && previous ? { from: previous.name, to: newest.name } : null;
}

function DatasetView({ group, dataset, reload }: { group: string; dataset: Dataset; reload: () => void }) {
  const { me } = useSession();
  const owner = dataset.group;
  const name = dataset.name;
  const versions = usePaged((cursor) => listVersions(owner, name, cursor), `${owner}/${name}`);
  const [browsing, setBrowsing] = useState<string | null>(null);
  const [comparison, setComparison] = useState<Comparison | null>(null);

  const list = useMemo(() => withLatest(versions.data ?? []), [versions.data]);
  const shown = list.find((v) => v.name === browsing) ?? list[0];
  const compare = comparison ?? defaultComparison(list);
  const ownerRole = me.groups.find((g) => g.name === owner)?.role ?? null;
  const refresh = () => {
    reload();
    versions.reload();
  };
  const onPushed = (version: Version) => {
    refresh();
    setBrowsing(version.name);
    setComparison(version.parent ? { from: version.parent, to: version.name } : null);
  };
  const browse = (version: Version) => {
    setBrowsing(version.name);
    reveal('dataset-files');
  };
  const compareWithParent = (version: Version) => {
    if (!version.parent) return;
    setComparison({ from: version.parent, to: version.name });
    reveal('dataset-diff');
  };

  return (
    <div className="page">
      <DatasetHeader group={group} dataset={dataset} />
      {dataset.access !== 'read' && (
        <Card title="Upload a new version">
          <UploadDrop owner={owner} name={name} latest={dataset.latest} onPushed={onPushed} onFailed={refresh} />
        </Card>
      )}
      <div className="grid-2 align-start">
        <Card title="Versions">
          <ErrorBanner message={versions.error} />
          {versions.loading && !versions.data ? <p className="muted">Loading versions…</p> : null}
          {versions.data && <Timeline versions={list} browsing={shown?.name ?? null} onBrowse={browse} onCompare={compareWithParent} />}
          <LoadMore hasMore={versions.hasMore} onClick={versions.loadMore} />
        </Card>
        <div className="column">
          <Card title="Tags">
            <TagEditor owner={owner} name={name} versions={list} writable={dataset.access !== 'read'} latest={dataset.latest} onChanged={versions.reload} />
          </Card>
          {dataset.access === 'owner' && (
            <Card title="Sharing">
              <GrantEditor owner={owner} name={name} manage={canManageGroup(me, ownerRole)} />
            </Card>
          )}
        </div>
      </div>
      {shown && (
        <div id="dataset-files">
          <Card
            title={`Files of ${shown.name}`}
            actions={<VersionSelect name="browse-version" label="Version to browse" versions={list} value={shown.name} onChange={setBrowsing} />}
          >
            <FileTree owner={owner} name={name} version={shown.name} fileCount={shown.summary.files} />
          </Card>
        </div>
      )}
      {compare && (
        <div id="dataset-diff">
          <Card title="Compare versions">
            <DiffView owner={owner} name={name} versions={list} comparison={compare} onChange={setComparison} />
          </Card>
        </div>
      )}
    </div>
  );
}

/**
 * `/g/:group/datasets/:owner/:name`: one dataset, seen from the viewer's group `group`; `owner` is
 * the group that owns it (the same for the group's own datasets).
 */
export function DatasetPage() {
  const { group = '', owner = '', name = '' } = useParams();
  const dataset = useLoader(() => getDataset(owner, name), `${owner}/${name}`);
  const data = dataset.data;
  if (!data || data.group !== owner || data.name !== name) {
    return (
      <div className="page">
        <ErrorBanner message={dataset.error} />
        {!dataset.error && (
          <p className="muted">
            Loading {owner}/{name}…
          </p>
        )}
      </div>
    );
  }
  return <DatasetView key={`${owner}/${name}`} group={group} dataset={data} reload={dataset.reload} />;
}
