import { useState, type FormEvent } from 'react';
import {
  addMember,
  getMemberQuota,
  listMembers,
  removeMember,
  setMemberQuota,
  setMemberRole,
  type Member,
  type Role,
} from '../api';
import { formatDate } from '../format';
import { useAction, useLoader } from '../hooks';
import { useSession } from '../session';
import { Card } from './Card';
import { ConfirmButton } from './ConfirmButton';
import { ErrorBanner } from './ErrorBanner';
import { Notice } from './Notice';
import { QuotaForm } from './QuotaForm';
import { RoleSelect } from './RoleSelect';
import { Table, type Column } from './Table';

interface Props {
  group: string;
  manage: boolean;
  /** Called after a change that may alter the group's member count or the caller's role. */
  onChanged: () => void;
}

function AddMemberForm({ busy, onAdd }: { busy: boolean; onAdd: (username: string, role: Role) => Promise<boolean> }) {
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<Role>('member');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await onAdd(username.trim(), role)) setUsername('');
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Add member">
      <input name="username" placeholder="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
      <RoleSelect name="role" label="Role" value={role} onChange={setRole} />
      <button type="submit" className="btn btn-primary" disabled={busy}>
        Add member
      </button>
    </form>
  );
}

function columns(manage: boolean, act: {
  setRole: (m: Member, role: Role) => void;
  editQuota: (m: Member) => void;
  remove: (m: Member) => void;
}): Column<Member>[] {
  const base: Column<Member>[] = [
    { header: 'Username', render: (m) => <span className="mono">{m.username}</span> },
    { header: 'Name', render: (m) => m.display_name || '—' },
    { header: 'Email', render: (m) => m.email || '—' },
    {
      header: 'Role',
      render: (m) =>
        manage ? (
          <RoleSelect label={`Role of ${m.username}`} value={m.role} onChange={(role) => act.setRole(m, role)} />
        ) : (
          <span className={`tag tag-${m.role}`}>{m.role}</span>
        ),
    },
    { header: 'Joined', render: (m) => formatDate(m.joined_at) },
  ];
  if (!manage) return base;
  const actions: Column<Member> = {
    header: 'Actions',
    className: 'actions',
    render: (m) => (
      <>
        <button type="button" className="btn btn-small" onClick={() => act.editQuota(m)}>
          Quota
        </button>
        <ConfirmButton label="Remove" question={`Remove ${m.username}?`} onConfirm={() => act.remove(m)} />
      </>
    ),
  };
  return [...base, actions];
}

/** Members and their roles; group admins add, re-role and remove members and set their quotas. */
export function MembersCard({ group, manage, onChanged }: Props) {
  const { me, refreshMe } = useSession();
  const members = useLoader(() => listMembers(group), group);
  const [quotaFor, setQuotaFor] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const action = useAction();

  const mutate = async (username: string, mutation: () => Promise<unknown>) => {
    const ok = await action.run(mutation);
    members.reload();
    onChanged();
    if (username === me.username) refreshMe();
    return ok;
  };

  const cols = columns(manage, {
    setRole: (m, role) => void mutate(m.username, () => setMemberRole(group, m.username, role)),
    editQuota: (m) => {
      setNotice(null);
      setQuotaFor(m.username);
    },
    remove: (m) => void mutate(m.username, () => removeMember(group, m.username)),
  });

  return (
    <Card title="Members">
      <ErrorBanner message={members.error ?? action.error} onDismiss={action.clearError} />
      <Notice>{notice}</Notice>
      {manage && <AddMemberForm busy={action.busy} onAdd={(u, role) => mutate(u, () => addMember(group, u, role))} />}
      <Table label="Members" columns={cols} rows={members.data?.items} rowKey={(m) => m.username} empty="No members yet." loading={members.loading} />
      {manage && quotaFor && (
        <div className="subpanel">
          <h3>Quota for {quotaFor}</h3>
          <p className="muted">Limits for this member within the group. Empty means no per-member limit.</p>
          <QuotaForm
            key={quotaFor}
            subject={`${group}/${quotaFor}`}
            load={() => getMemberQuota(group, quotaFor)}
            save={(quota) => setMemberQuota(group, quotaFor, quota)}
            onSaved={() => {
              setNotice(`Quota for ${quotaFor} saved.`);
              setQuotaFor(null);
            }}
            onCancel={() => setQuotaFor(null)}
          />
        </div>
      )}
    </Card>
  );
}
