import { Link, useParams } from 'react-router-dom';
import { aliasHistory, getModel, listModelVersions, type AliasMove, type ModelVersion } from '../api';
import { AliasBadges } from '../components/AliasBadges';
import { AliasEditor } from '../components/AliasEditor';
import { Card } from '../components/Card';
import { ErrorBanner } from '../components/ErrorBanner';
import { GroupPageHeader } from '../components/GroupPageHeader';
import { LoadMore } from '../components/LoadMore';
import { Table, type Column } from '../components/Table';
import { formatBytes, formatDate } from '../format';
import { useLoader, usePaged } from '../hooks';
import { modelsUrl, runUrl, versionUrl } from '../paths';

function versionColumns(group: string): Column<ModelVersion>[] {
  return [
    { header: 'Version', render: (v) => <Link to={versionUrl(group, v.model, v.version)}>v{v.version}</Link> },
    { header: 'Status', render: (v) => <span className={`tag status ${v.status === 'ready' ? 'status-succeeded' : 'status-queued'}`}>{v.status}</span> },
    { header: 'Flavor', render: (v) => <span className="mono">{v.flavors.join(', ') || '—'}</span> },
    {
      header: 'Source run',
      render: (v) => (v.run_id ? <Link className="mono" to={runUrl(group, v.run_id)}>{v.run_id.slice(0, 8)}</Link> : <span className="muted">{v.source}</span>),
    },
    { header: 'Aliases', render: (v) => <AliasBadges aliases={v.aliases.map((a) => [a, null])} /> },
    { header: 'Size', className: 'num', render: (v) => `${formatBytes(v.size)} · ${v.file_count} files` },
    { header: 'By', render: (v) => v.created_by ?? '—' },
    { header: 'Created', render: (v) => formatDate(v.created_at) },
  ];
}

const version = (n: number | null) => (n === null ? '—' : `v${n}`);

const HISTORY: Column<AliasMove>[] = [
  { header: 'When', render: (m) => formatDate(m.created_at) },
  { header: 'Alias', render: (m) => <span className="tag tag-alias">@{m.alias}</span> },
  { header: 'Change', render: (m) => (m.from_version === null ? `set to ${version(m.to_version)}` : m.to_version === null ? `removed from ${version(m.from_version)}` : `${version(m.from_version)} → ${version(m.to_version)}`) },
  { header: 'By', render: (m) => m.user ?? '—' },
];

/** `/g/:group/models/:name`: versions, aliases (set, move, remove) and the history of alias moves. */
export function ModelPage() {
  const params = useParams();
  const group = params.group ?? '';
  const name = params.name ?? '';
  const key = `${group}/${name}`;
  const model = useLoader(() => getModel(group, name), key);
  const versions = usePaged((cursor) => listModelVersions(group, name, cursor), key);
  const history = usePaged((cursor) => aliasHistory(group, name, cursor), key);
  const changed = () => {
    model.reload();
    versions.reload();
    history.reload();
  };
  const current = model.data?.name === name ? model.data : undefined;
  return (
    <div className="page" key={key}>
      <div>
        <Link to={modelsUrl(group)}>← Models</Link>
      </div>
      <GroupPageHeader group={group} title={name} description={current?.description ?? undefined} />
      {current && Object.keys(current.tags).length > 0 && (
        <div aria-label="Model tags">
          {Object.entries(current.tags).map(([key, value]) => (
            <span key={key} className="chip mono">
              {key}={value}
            </span>
          ))}
        </div>
      )}
      <ErrorBanner message={model.error} />
      {current && (
        <Card title="Aliases">
          <AliasEditor model={current} versions={versions.data ?? []} onChanged={changed} />
        </Card>
      )}
      <Card title="Versions">
        <ErrorBanner message={versions.error} />
        <Table label="Versions" columns={versionColumns(group)} rows={versions.data} rowKey={(v) => String(v.version)} empty="No versions yet." loading={versions.loading} />
        <LoadMore hasMore={versions.hasMore} onClick={versions.loadMore} />
      </Card>
      <Card title="Alias history">
        <ErrorBanner message={history.error} />
        <Table label="Alias history" columns={HISTORY} rows={history.data} rowKey={(m) => `${m.alias}/${m.created_at}/${m.to_version}`} empty="No alias has been set yet." loading={history.loading} />
        <LoadMore hasMore={history.hasMore} onClick={history.loadMore} />
      </Card>
    </div>
  );
}
