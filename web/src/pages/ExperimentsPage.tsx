import { Link, useParams } from 'react-router-dom';
import { listExperiments, type Experiment } from '../api';
import { Card } from '../components/Card';
import { ErrorBanner } from '../components/ErrorBanner';
import { GroupPageHeader } from '../components/GroupPageHeader';
import { LoadMore } from '../components/LoadMore';
import { Table, type Column } from '../components/Table';
import { formatDate } from '../format';
import { usePaged } from '../hooks';
import { runsUrl } from '../paths';

function columns(group: string): Column<Experiment>[] {
  return [
    { header: 'Experiment', render: (e) => <Link to={runsUrl(group, e.name)}>{e.name}</Link> },
    { header: 'Description', render: (e) => <span className="muted">{e.description ?? ''}</span> },
    { header: 'Runs', className: 'num', render: (e) => e.run_count },
    { header: 'Last activity', render: (e) => formatDate(e.last_run_at ?? e.updated_at) },
    { header: 'Created by', render: (e) => e.created_by ?? '—' },
    { header: 'Created', render: (e) => formatDate(e.created_at) },
  ];
}

/** `/g/:group/experiments`: the group's experiments; each opens its runs. */
export function ExperimentsPage() {
  const group = useParams().group ?? '';
  const experiments = usePaged((cursor) => listExperiments(group, cursor), group);
  return (
    <div className="page" key={group}>
      <GroupPageHeader
        group={group}
        title="Experiments"
        description="Tracked runs: params, metrics, artifacts and lineage, grouped by experiment."
        actions={
          <Link className="btn" to={runsUrl(group)}>
            All runs
          </Link>
        }
      />
      <Card title="Experiments">
        <ErrorBanner message={experiments.error} />
        <Table
          label="Experiments"
          columns={columns(group)}
          rows={experiments.data}
          rowKey={(e) => String(e.id)}
          empty="No experiments yet: runs logged with the SDK (atrium.start_run) or the MLflow client appear here."
          loading={experiments.loading}
        />
        <LoadMore hasMore={experiments.hasMore} onClick={experiments.loadMore} />
      </Card>
    </div>
  );
}
