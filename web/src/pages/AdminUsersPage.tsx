import { useState } from 'react';
import { deleteUser, listUsers, resetUserPassword, updateUser, type User, type UserUpdate } from '../api';
import { Card } from '../components/Card';
import { ConfirmButton } from '../components/ConfirmButton';
import { CreateUserForm } from '../components/CreateUserForm';
import { ErrorBanner } from '../components/ErrorBanner';
import { LoadMore } from '../components/LoadMore';
import { Notice } from '../components/Notice';
import { ResetPasswordForm } from '../components/ResetPasswordForm';
import { Table, type Column } from '../components/Table';
import { formatDate } from '../format';
import { useAction, usePaged } from '../hooks';
import { useSession } from '../session';

interface RowActions {
  update: (u: User, patch: UserUpdate) => void;
  resetPassword: (u: User) => void;
  remove: (u: User) => void;
}

function userColumns(self: string, act: RowActions): Column<User>[] {
  return [
    { header: 'Username', render: (u) => <span className="mono">{u.username}</span> },
    { header: 'Email', render: (u) => u.email || '—' },
    { header: 'Admin', render: (u) => (u.is_admin ? <span className="tag tag-admin">admin</span> : '—') },
    { header: 'Status', render: (u) => (u.enabled ? 'enabled' : <span className="tag tag-off">disabled</span>) },
    { header: 'Created', render: (u) => formatDate(u.created_at) },
    {
      header: 'Actions',
      className: 'actions',
      render: (u) => (
        <>
          <button type="button" className="btn btn-small" disabled={u.username === self} onClick={() => act.update(u, { enabled: !u.enabled })}>
            {u.enabled ? 'Disable' : 'Enable'}
          </button>
          <button type="button" className="btn btn-small" disabled={u.username === self} onClick={() => act.update(u, { is_admin: !u.is_admin })}>
            {u.is_admin ? 'Remove admin' : 'Make admin'}
          </button>
          <button type="button" className="btn btn-small" onClick={() => act.resetPassword(u)}>
            Reset password
          </button>
          <ConfirmButton label="Delete" question={`Delete ${u.username}?`} disabled={u.username === self} onConfirm={() => act.remove(u)} />
        </>
      ),
    },
  ];
}

/** `/admin/users`: every account on the instance. */
export function AdminUsersPage() {
  const { me } = useSession();
  const [query, setQuery] = useState('');
  const users = usePaged((cursor) => listUsers(query.trim(), cursor), `users:${query.trim()}`);
  const [resetFor, setResetFor] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const action = useAction();

  const mutate = async (mutation: () => Promise<unknown>, done: string) => {
    setNotice(null);
    if (await action.run(mutation)) setNotice(done);
    users.reload();
  };
  const columns = userColumns(me.username, {
    update: (u, patch) => void mutate(() => updateUser(u.username, patch), `Updated ${u.username}.`),
    resetPassword: (u) => setResetFor(u.username),
    remove: (u) => void mutate(() => deleteUser(u.username), `Deleted ${u.username}.`),
  });

  return (
    <div className="page">
      <h1>Users</h1>
      <Card title="Create user">
        <CreateUserForm
          onCreated={(name) => {
            setNotice(`Created ${name}.`);
            users.reload();
          }}
        />
      </Card>
      <Card
        title="All users"
        actions={<input type="search" aria-label="Search users" placeholder="Search…" value={query} onChange={(e) => setQuery(e.target.value)} />}
      >
        <ErrorBanner message={users.error ?? action.error} onDismiss={action.clearError} />
        <Notice>{notice}</Notice>
        {resetFor && (
          <ResetPasswordForm
            key={resetFor}
            username={resetFor}
            busy={action.busy}
            onCancel={() => setResetFor(null)}
            onReset={(password) => {
              setResetFor(null);
              void mutate(() => resetUserPassword(resetFor, password), `Password of ${resetFor} reset; their sessions were signed out.`);
            }}
          />
        )}
        <Table label="Users" columns={columns} rows={users.data} rowKey={(u) => u.username} empty="No users match." loading={users.loading} />
        <LoadMore hasMore={users.hasMore} onClick={users.loadMore} />
      </Card>
    </div>
  );
}
