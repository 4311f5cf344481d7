import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { listModels, type RegisteredModel } from '../api';
import { AliasBadges } from '../components/AliasBadges';
import { Card } from '../components/Card';
import { ErrorBanner } from '../components/ErrorBanner';
import { GroupPageHeader } from '../components/GroupPageHeader';
import { LoadMore } from '../components/LoadMore';
import { Table, type Column } from '../components/Table';
import { formatDate } from '../format';
import { usePaged } from '../hooks';
import { modelUrl, versionUrl } from '../paths';

function columns(group: string): Column<RegisteredModel>[] {
  return [
    { header: 'Model', render: (m) => <Link to={modelUrl(group, m.name)}>{m.name}</Link> },
    {
      header: 'Latest version',
      render: (m) => (m.latest_version ? <Link to={versionUrl(group, m.name, m.latest_version)}>v{m.latest_version}</Link> : '—'),
    },
    { header: 'Versions', className: 'num', render: (m) => m.version_count },
    { header: 'Aliases', render: (m) => <AliasBadges aliases={Object.entries(m.aliases)} /> },
    { header: 'Description', render: (m) => <span className="muted">{m.description ?? ''}</span> },
    { header: 'Updated', render: (m) => formatDate(m.updated_at) },
  ];
}

/** `/g/:group/models`: the group's registered models, their latest version and aliases. */
export function ModelsPage() {
  const group = useParams().group ?? '';
  const [params, setParams] = useSearchParams();
  const filter = params.get('q') ?? '';
  const [draft, setDraft] = useState(filter);
  const models = usePaged((cursor) => listModels(group, filter, cursor), `${group}/${filter}`);
  return (
    <div className="page" key={group}>
      <GroupPageHeader group={group} title="Models" description="Registered models: versions from runs or uploads, aliases such as production, lineage." />
      <form
        className="toolbar"
        role="search"
        aria-label="Find models"
        onSubmit={(e) => {
          e.preventDefault();
          setParams(draft.trim() ? { q: draft.trim() } : {}, { replace: true });
        }}
      >
        <input aria-label="Name contains" placeholder="Name contains…" value={draft} onChange={(e) => setDraft(e.target.value)} />
        <button type="submit" className="btn">
          Find
        </button>
      </form>
      <Card title="Models">
        <ErrorBanner message={models.error} />
        <Table
          label="Models"
          columns={columns(group)}
          rows={models.data}
          rowKey={(m) => m.name}
          empty={filter ? 'No model names contain this text.' : 'No models yet: register one from a run with the SDK, the CLI or the MLflow client.'}
          loading={models.loading}
        />
        <LoadMore hasMore={models.hasMore} onClick={models.loadMore} />
      </Card>
    </div>
  );
}
