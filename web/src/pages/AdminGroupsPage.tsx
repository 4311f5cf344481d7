import { useState } from 'react';
import { Link } from 'react-router-dom';
import { getGroupQuota, listGroups, setGroupQuota, type Group } from '../api';
import { Card } from '../components/Card';
import { CreateGroupForm } from '../components/CreateGroupForm';
import { DeleteGroupPanel } from '../components/DeleteGroupPanel';
import { ErrorBanner } from '../components/ErrorBanner';
import { LoadMore } from '../components/LoadMore';
import { Notice } from '../components/Notice';
import { QuotaForm } from '../components/QuotaForm';
import { Table, type Column } from '../components/Table';
import { formatDate } from '../format';
import { usePaged } from '../hooks';
import { useSession } from '../session';

type Panel = { kind: 'quota' | 'delete'; group: string } | null;

function groupColumns(open: (panel: Panel) => void): Column<Group>[] {
  return [
    {
      header: 'Name',
      render: (g) => (
        <Link className="mono" to={`/g/${encodeURIComponent(g.name)}`}>
          {g.name}
        </Link>
      ),
    },
    { header: 'Display name', render: (g) => g.display_name || '—' },
    { header: 'Description', render: (g) => g.description || '—' },
    { header: 'Members', render: (g) => g.member_count, className: 'num' },
    { header: 'Created', render: (g) => formatDate(g.created_at) },
    {
      header: 'Actions',
      className: 'actions',
      render: (g) => (
        <>
          <button type="button" className="btn btn-small" onClick={() => open({ kind: 'quota', group: g.name })}>
            Quota
          </button>
          <button type="button" className="btn btn-small btn-danger-quiet" onClick={() => open({ kind: 'delete', group: g.name })}>
            Delete…
          </button>
        </>
      ),
    },
  ];
}

function GroupPanel({ panel, close }: { panel: NonNullable<Panel>; close: (message: string) => void }) {
  const { group } = panel;
  if (panel.kind === 'delete') {
    return <DeleteGroupPanel key={group} group={group} onDeleted={() => close(`Deleted group ${group}.`)} onCancel={() => close('')} />;
  }
  return (
    <div className="subpanel">
      <h3>Quota for group {group}</h3>
      <p className="muted">Empty means unlimited. Memory and storage accept sizes like 512Mi or 16Gi.</p>
      <QuotaForm
        key={group}
        subject={group}
        load={() => getGroupQuota(group)}
        save={(quota) => setGroupQuota(group, quota)}
        onSaved={() => close(`Quota for ${group} saved.`)}
        onCancel={() => close('')}
      />
    </div>
  );
}

/** `/admin/groups`: create groups, set their quotas, delete them after a preview. */
export function AdminGroupsPage() {
  const { refreshMe } = useSession();
  const groups = usePaged((cursor) => listGroups(cursor), 'groups');
  const [panel, setPanel] = useState<Panel>(null);
  const [notice, setNotice] = useState('');

  const changed = (message: string) => {
    setNotice(message);
    groups.reload();
    refreshMe();
  };
  const open = (next: Panel) => {
    setNotice('');
    setPanel(next);
  };
  const close = (message: string) => {
    setPanel(null);
    if (message) changed(message);
  };

  return (
    <div className="page">
      <h1>Groups</h1>
      <Card title="Create group">
        <CreateGroupForm onCreated={(g) => changed(`Created group ${g.name}.`)} />
      </Card>
      <Card title="All groups">
        <ErrorBanner message={groups.error} />
        <Notice>{notice}</Notice>
        {panel && <GroupPanel panel={panel} close={close} />}
        <Table label="Groups" columns={groupColumns(open)} rows={groups.data} rowKey={(g) => g.name} empty="No groups yet." loading={groups.loading} />
        <LoadMore hasMore={groups.hasMore} onClick={groups.loadMore} />
      </Card>
    </div>
  );
}
