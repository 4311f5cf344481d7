import { useState, type FormEvent } from 'react';
import { listGrants, revokeGrant, setGrant, type DatasetGrant, type GrantAccess } from '../api';
import { formatDate } from '../format';
import { useAction, usePaged } from '../hooks';
import { ConfirmButton } from './ConfirmButton';
import { ErrorBanner } from './ErrorBanner';
import { LoadMore } from './LoadMore';
import { Table, type Column } from './Table';

interface Props {
  owner: string;
  name: string;
  /** Admins of the owner group grant and revoke; other members see the list. */
  manage: boolean;
}

function AccessSelect({ value, onChange, name, label }: { value: GrantAccess; onChange: (a: GrantAccess) => void; name?: string; label: string }) {
  return (
    <select name={name} aria-label={label} value={value} onChange={(e) => onChange(e.target.value as GrantAccess)}>
      <option value="read">read</option>
      <option value="write">write</option>
    </select>
  );
}

function GrantForm({ busy, onGrant }: { busy: boolean; onGrant: (group: string, access: GrantAccess) => Promise<boolean> }) {
  const [group, setGroup] = useState('');
  const [access, setAccess] = useState<GrantAccess>('read');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await onGrant(group.trim(), access)) setGroup('');
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Add grant">
      <input name="grant-group" placeholder="group name" required value={group} onChange={(e) => setGroup(e.target.value)} />
      <AccessSelect name="grant-access" label="Access" value={access} onChange={setAccess} />
      <button type="submit" className="btn btn-primary" disabled={busy}>
        Grant access
      </button>
    </form>
  );
}

/** Which other groups may read or write the dataset. */
export function GrantEditor({ owner, name, manage }: Props) {
  const grants = usePaged((cursor) => listGrants(owner, name, cursor), `${owner}/${name}`);
  const action = useAction();
  const mutate = async (mutation: () => Promise<unknown>) => {
    const ok = await action.run(mutation);
    grants.reload();
    return ok;
  };

  const columns: Column<DatasetGrant>[] = [
    { header: 'Group', render: (g) => <span className="mono">{g.group}</span> },
    {
      header: 'Access',
      render: (g) =>
        manage ? (
          <AccessSelect label={`Access of ${g.group}`} value={g.access} onChange={(a) => void mutate(() => setGrant(owner, name, g.group, a))} />
        ) : (
          <span className={`tag tag-${g.access}`}>{g.access}</span>
        ),
    },
    { header: 'Granted', render: (g) => formatDate(g.created_at) },
  ];
  if (manage) {
    columns.push({
      header: 'Actions',
      className: 'actions',
      render: (g) => (
        <ConfirmButton label="Revoke" question={`Revoke ${g.group}?`} onConfirm={() => void mutate(() => revokeGrant(owner, name, g.group))} />
      ),
    });
  }

  return (
    <div className="stack">
      <p className="muted">
        {manage
          ? 'Share the dataset with another group: read lets its members download, write lets them push versions and move tags.'
          : 'Groups this dataset is shared with. Admins of the group change this.'}
      </p>
      <ErrorBanner message={grants.error ?? action.error} onDismiss={action.clearError} />
      {manage && <GrantForm busy={action.busy} onGrant={(group, access) => mutate(() => setGrant(owner, name, group, access))} />}
      <Table label="Grants" columns={columns} rows={grants.data} rowKey={(g) => g.group} empty="Not shared with any group." loading={grants.loading} />
      <LoadMore hasMore={grants.hasMore} onClick={grants.loadMore} />
    </div>
  );
}
