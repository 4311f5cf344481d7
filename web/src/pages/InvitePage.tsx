import { useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { acceptInvitation, previewInvitation, type InvitationPreview } from '../api';
import { ErrorBanner } from '../components/ErrorBanner';
import { formatDate } from '../format';
import { useAction, useLoader } from '../hooks';
import { Brand } from '../components/Brand';

const groupPath = (group: string) => `/g/${encodeURIComponent(group)}`;

function NewAccountForm({ token, onJoined }: { token: string; onJoined: (group: string) => void }) {
  const [fields, setFields] = useState({ username: '', password: '', email: '', display_name: '' });
  const action = useAction();
  const set = (patch: Partial<typeof fields>) => setFields({ ...fields, ...patch });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await action.run(async () => {
      const optional = Object.fromEntries(Object.entries({ email: fields.email, display_name: fields.display_name }).filter(([, v]) => v.trim()));
      const joined = await acceptInvitation({ token, username: fields.username.trim(), password: fields.password, ...optional });
      onJoined(joined.group);
    });
  };
  return (
    <form className="stack" onSubmit={submit} aria-label="Create account">
      <ErrorBanner message={action.error} onDismiss={action.clearError} />
      <input name="username" placeholder="username" autoComplete="username" required value={fields.username} onChange={(e) => set({ username: e.target.value })} />
      <input name="password" type="password" placeholder="password" autoComplete="new-password" required value={fields.password} onChange={(e) => set({ password: e.target.value })} />
      <input name="email" type="email" placeholder="email (optional)" value={fields.email} onChange={(e) => set({ email: e.target.value })} />
      <input name="display_name" placeholder="display name (optional)" value={fields.display_name} onChange={(e) => set({ display_name: e.target.value })} />
      <button type="submit" className="btn btn-primary btn-block" disabled={action.busy}>
        Create account and join
      </button>
    </form>
  );
}

function Invitation({ token, preview }: { token: string; preview: InvitationPreview }) {
  const navigate = useNavigate();
  const [joinedAsNew, setJoinedAsNew] = useState<string | null>(null);
  const action = useAction();
  const joinAsMe = () =>
    void action.run(async () => {
      const joined = await acceptInvitation({ token });
      navigate(groupPath(joined.group), { replace: true });
    });

  if (joinedAsNew) {
    return (
      <p role="status">
        Your account was created and you joined <strong>{joinedAsNew}</strong>.{' '}
        <Link to={`/login?next=${encodeURIComponent(groupPath(joinedAsNew))}`}>Sign in</Link> to continue.
      </p>
    );
  }
  return (
    <>
      <p>
        You are invited to join <strong>{preview.group}</strong> as <strong>{preview.role}</strong>. The invitation expires{' '}
        {formatDate(preview.expires_at)}.
      </p>
      <ErrorBanner message={action.error} onDismiss={action.clearError} />
      <button type="button" className="btn btn-block" disabled={action.busy} onClick={joinAsMe}>
        Join with my existing account
      </button>
      <div className="divider">or create a new account</div>
      <NewAccountForm token={token} onJoined={setJoinedAsNew} />
    </>
  );
}

/** `/invite#token=…`: the page an invitation link opens. The token stays in the fragment, out of server logs. */
export function InvitePage() {
  const token = new URLSearchParams(useLocation().hash.slice(1)).get('token') ?? '';
  const preview = useLoader(() => (token ? previewInvitation(token) : Promise.reject(new Error('This invitation link has no token.'))), token);
  return (
    <div className="login-screen">
      <div className="login-card">
        <Brand large />
        <h1 className="h-small">Invitation</h1>
        <ErrorBanner message={preview.error} />
        {preview.data && <Invitation token={token} preview={preview.data} />}
        {!preview.data && !preview.error && <p className="muted">Checking the invitation…</p>}
      </div>
    </div>
  );
}
