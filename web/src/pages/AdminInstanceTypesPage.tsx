import { useState } from 'react';
import { deleteInstanceType, listGroups, listInstanceTypes, type InstanceType } from '../api';
import { Card } from '../components/Card';
import { ConfirmButton } from '../components/ConfirmButton';
import { CreateInstanceTypeForm } from '../components/CreateInstanceTypeForm';
import { ErrorBanner } from '../components/ErrorBanner';
import { Notice } from '../components/Notice';
import { Table, type Column } from '../components/Table';
import { formatBytes } from '../format';
import { useAction, useLoader } from '../hooks';

function typeColumns(remove: (t: InstanceType) => void): Column<InstanceType>[] {
  return [
    { header: 'Name', render: (t) => <span className="mono">{t.name}</span> },
    { header: 'Display name', render: (t) => t.display_name || '—' },
    { header: 'CPU', render: (t) => t.cpu, className: 'num' },
    { header: 'Memory', render: (t) => formatBytes(t.memory), className: 'num' },
    { header: 'GPU', render: (t) => t.gpu, className: 'num' },
    { header: 'Available to', render: (t) => (t.is_global ? <span className="tag">all groups</span> : t.groups.join(', ') || 'no group') },
    { header: 'Description', render: (t) => t.description || '—' },
    {
      header: 'Actions',
      className: 'actions',
      render: (t) => <ConfirmButton label="Delete" question={`Delete ${t.name}?`} onConfirm={() => remove(t)} />,
    },
  ];
}

/** `/admin/instance-types`: the machine shapes groups may request. */
export function AdminInstanceTypesPage() {
  const types = useLoader(() => listInstanceTypes(), 'instance-types');
  const groups = useLoader(listGroups, 'groups');
  const [notice, setNotice] = useState('');
  const action = useAction();

  const changed = (message: string) => {
    setNotice(message);
    types.reload();
  };
  const remove = (t: InstanceType) =>
    void action.run(async () => {
      await deleteInstanceType(t.name);
      changed(`Deleted ${t.name}.`);
    });

  return (
    <div className="page">
      <h1>Instance types</h1>
      <Card title="Create instance type">
        <CreateInstanceTypeForm groupNames={groups.data?.items.map((g) => g.name) ?? []} onCreated={(name) => changed(`Created ${name}.`)} />
      </Card>
      <Card title="All instance types">
        <ErrorBanner message={types.error ?? action.error} onDismiss={action.clearError} />
        <Notice>{notice}</Notice>
        <Table label="Instance types" columns={typeColumns(remove)} rows={types.data?.items} rowKey={(t) => t.name} empty="No instance types yet." loading={types.loading} />
      </Card>
    </div>
  );
}
