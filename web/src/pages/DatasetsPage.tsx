import { Link, useNavigate, useParams } from 'react-router-dom';
import { listDatasets, type Dataset } from '../api';
import { AccessBadge } from '../components/AccessBadge';
import { Card } from '../components/Card';
import { CreateDatasetForm } from '../components/CreateDatasetForm';
import { ErrorBanner } from '../components/ErrorBanner';
import { GroupPageHeader } from '../components/GroupPageHeader';
import { LoadMore } from '../components/LoadMore';
import { Table, type Column } from '../components/Table';
import { formatDate } from '../format';
import { usePaged } from '../hooks';
import { datasetUrl } from '../paths';

function columns(group: string): Column<Dataset>[] {
  return [
    {
      header: 'Name',
      render: (d) => (
        <Link className="mono" to={datasetUrl(group, d.group, d.name)}>
          {d.shared_from ? `${d.group}/${d.name}` : d.name}
        </Link>
      ),
    },
    { header: 'Access', render: (d) => (d.shared_from ? <AccessBadge dataset={d} /> : <span className="tag">own</span>) },
    { header: 'Description', render: (d) => d.description || '—' },
    { header: 'Latest', render: (d) => (d.latest ? <span className="mono">{d.latest}</span> : <span className="muted">no version</span>) },
    { header: 'Versions', className: 'num', render: (d) => d.version_count },
    { header: 'Created', render: (d) => formatDate(d.created_at) },
  ];
}

/** `/g/:group/datasets`: the group's datasets and those other groups share with it. */
export function DatasetsPage() {
  const group = useParams().group ?? '';
  const navigate = useNavigate();
  const datasets = usePaged((cursor) => listDatasets(group, cursor), group);
  return (
    <div className="page" key={group}>
      <GroupPageHeader
        group={group}
        title="Datasets"
        description="Versioned files: every version is kept, and identical files are stored once."
      />
      <Card title="New dataset">
        <CreateDatasetForm group={group} onCreated={(d) => navigate(datasetUrl(group, d.group, d.name))} />
      </Card>
      <Card title="Datasets">
        <ErrorBanner message={datasets.error} />
        <Table
          label="Datasets"
          columns={columns(group)}
          rows={datasets.data}
          rowKey={(d) => `${d.group}/${d.name}`}
          empty="No datasets yet: create one above."
          loading={datasets.loading}
        />
        <LoadMore hasMore={datasets.hasMore} onClick={datasets.loadMore} />
      </Card>
    </div>
  );
}
