import { useState, type FormEvent } from 'react';
import {
  createInvitation,
  listInvitations,
  revokeInvitation,
  type Invitation,
  type NewInvitation,
  type Role,
} from '../api';
import { formatDate } from '../format';
import { useAction, useLoader } from '../hooks';
import { Card } from './Card';
import { ConfirmButton } from './ConfirmButton';
import { ErrorBanner } from './ErrorBanner';
import { OneTimeSecret } from './OneTimeSecret';
import { RoleSelect } from './RoleSelect';
import { Table, type Column } from './Table';

function inviteLink(token: string): string {
  return `${window.location.origin}/invite#token=${encodeURIComponent(token)}`;
}

function status(invitation: Invitation): string {
  if (invitation.used_at) return `used by ${invitation.used_by ?? 'someone'}`;
  return new Date(invitation.expires_at).getTime() < Date.now() ? 'expired' : 'open';
}

function InviteForm({ busy, onCreate }: { busy: boolean; onCreate: (role: Role, email: string, hours: string) => void }) {
  const [role, setRole] = useState<Role>('member');
  const [email, setEmail] = useState('');
  const [hours, setHours] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onCreate(role, email.trim(), hours.trim());
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Create invitation">
      <RoleSelect name="invite-role" label="Invitation role" value={role} onChange={setRole} />
      <input name="invite-email" type="email" placeholder="email (optional)" value={email} onChange={(e) => setEmail(e.target.value)} />
      <input name="invite-hours" type="number" min={1} placeholder="expiry hours (default 72)" value={hours} onChange={(e) => setHours(e.target.value)} />
      <button type="submit" className="btn btn-primary" disabled={busy}>
        Create invitation
      </button>
    </form>
  );
}

/** Group admins invite people with a one-time link and revoke open invitations. */
export function InvitationsCard({ group }: { group: string }) {
  const invitations = useLoader(() => listInvitations(group), group);
  const [created, setCreated] = useState<NewInvitation | null>(null);
  const action = useAction();

  const create = (role: Role, email: string, hours: string) =>
    void action.run(async () => {
      const expires = hours ? { expires_in_hours: Number(hours) } : {};
      setCreated(await createInvitation({ group, role, ...(email ? { email } : {}), ...expires }));
      invitations.reload();
    });
  const revoke = (id: string) =>
    void action.run(async () => {
      await revokeInvitation(id);
      invitations.reload();
    });

  const columns: Column<Invitation>[] = [
    { header: 'Role', render: (i) => <span className={`tag tag-${i.role}`}>{i.role}</span> },
    { header: 'Email', render: (i) => i.email || '—' },
    { header: 'Created by', render: (i) => i.created_by },
    { header: 'Expires', render: (i) => formatDate(i.expires_at) },
    { header: 'Status', render: status },
    {
      header: 'Actions',
      className: 'actions',
      render: (i) => (i.used_at ? null : <ConfirmButton label="Revoke" onConfirm={() => revoke(i.id)} />),
    },
  ];

  return (
    <Card title="Invitations">
      <ErrorBanner message={invitations.error ?? action.error} onDismiss={action.clearError} />
      <InviteForm busy={action.busy} onCreate={create} />
      {created && (
        <OneTimeSecret title="Invitation link" value={inviteLink(created.token)} testId="new-invite-link" onDone={() => setCreated(null)}>
          <p className="muted">
            Token: <code data-testid="new-invite-token">{created.token}</code>
          </p>
        </OneTimeSecret>
      )}
      <Table label="Invitations" columns={columns} rows={invitations.data?.items} rowKey={(i) => i.id} empty="No invitations." loading={invitations.loading} />
    </Card>
  );
}
