import { useState } from 'react';
import { useParams } from 'react-router-dom';
import { createSecret, deleteSecret, listSecrets, updateSecret, type Secret } from '../api';
import { Card } from '../components/Card';
import { ConfirmButton } from '../components/ConfirmButton';
import { ErrorBanner } from '../components/ErrorBanner';
import { GroupPageHeader } from '../components/GroupPageHeader';
import { LoadMore } from '../components/LoadMore';
import { Notice } from '../components/Notice';
import { SecretForm } from '../components/SecretForm';
import { Table, type Column } from '../components/Table';
import { formatDate } from '../format';
import { useAction, usePaged } from '../hooks';
import { useCanManage } from '../session';

const byWhom = (at: string, who: string | null) => `${formatDate(at)}${who ? ` by ${who}` : ''}`;

function columns(manage: boolean, edit: (s: Secret) => void, remove: (s: Secret) => void): Column<Secret>[] {
  const base: Column<Secret>[] = [
    { header: 'Name', render: (s) => <span className="mono">{s.name}</span> },
    { header: 'Value', render: () => <span className="muted">hidden</span> },
    { header: 'Created', render: (s) => byWhom(s.created_at, s.created_by) },
    { header: 'Last changed', render: (s) => byWhom(s.updated_at, s.updated_by) },
  ];
  if (!manage) return base;
  const actions: Column<Secret> = {
    header: 'Actions',
    className: 'actions',
    render: (s) => (
      <>
        <button type="button" className="btn btn-small" onClick={() => edit(s)}>
          Set value
        </button>
        <ConfirmButton label="Delete" question={`Delete ${s.name}?`} onConfirm={() => remove(s)} />
      </>
    ),
  };
  return [...base, actions];
}

/** `/g/:group/secrets`: the names of the group's secrets; group admins create, replace and delete. */
export function SecretsPage() {
  const group = useParams().group ?? '';
  const manage = useCanManage(group);
  const secrets = usePaged((cursor) => listSecrets(group, cursor), group);
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const action = useAction();

  const save = async (mutation: () => Promise<unknown>, done: string) => {
    setNotice(null);
    const ok = await action.run(mutation);
    if (ok) setNotice(done);
    secrets.reload();
    return ok;
  };
  const cols = columns(
    manage,
    (s) => {
      setNotice(null);
      setEditing(s.name);
    },
    (s) => void save(() => deleteSecret(group, s.name), `Deleted ${s.name}.`),
  );

  return (
    <div className="page" key={group}>
      <GroupPageHeader
        group={group}
        title="Secrets"
        description="Credentials the group's jobs receive as environment variables. Values are write-only: nobody can read them back."
      />
      {manage && (
        <Card title="New secret">
          <SecretForm busy={action.busy} onSave={(name, value) => save(() => createSecret(group, name, value), `Created ${name}.`)} />
        </Card>
      )}
      <Card title="Secrets">
        <ErrorBanner message={secrets.error ?? action.error} onDismiss={action.clearError} />
        <Notice>{notice}</Notice>
        {!manage && <p className="muted">Only group admins can add or change secrets.</p>}
        {manage && editing && (
          <div className="subpanel">
            <h3>New value for {editing}</h3>
            <SecretForm
              key={editing}
              name={editing}
              busy={action.busy}
              onSave={async (name, value) => {
                const ok = await save(() => updateSecret(group, name, value), `Saved a new value for ${name}.`);
                if (ok) setEditing(null);
                return ok;
              }}
              onCancel={() => setEditing(null)}
            />
          </div>
        )}
        <Table
          label="Secrets"
          columns={cols}
          rows={secrets.data}
          rowKey={(s) => s.name}
          empty={manage ? 'No secrets yet: add one above.' : 'This group has no secrets.'}
          loading={secrets.loading}
        />
        <LoadMore hasMore={secrets.hasMore} onClick={secrets.loadMore} />
      </Card>
    </div>
  );
}
