import { useState, type FormEvent } from 'react';
import { createUser, type UserCreate } from '../api';
import { useAction } from '../hooks';
import { ErrorBanner } from './ErrorBanner';

const EMPTY: UserCreate = { username: '', password: '', email: '', is_admin: false };

interface Props {
  onCreated: (username: string) => void;
}

/** Platform admins create accounts directly (the alternative to invitations). */
export function CreateUserForm({ onCreated }: Props) {
  const [user, setUser] = useState<UserCreate>(EMPTY);
  const action = useAction();
  const set = (patch: Partial<UserCreate>) => setUser({ ...user, ...patch });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body: UserCreate = { ...user, username: user.username.trim(), email: user.email?.trim() || undefined };
    if (await action.run(() => createUser(body))) {
      setUser(EMPTY);
      onCreated(body.username);
    }
  };

  return (
    <form className="inline-form" onSubmit={submit} aria-label="Create user">
      <ErrorBanner message={action.error} onDismiss={action.clearError} />
      <input name="username" placeholder="username" required value={user.username} onChange={(e) => set({ username: e.target.value })} />
      <input name="password" type="password" placeholder="password" autoComplete="new-password" required value={user.password} onChange={(e) => set({ password: e.target.value })} />
      <input name="email" type="email" placeholder="email (optional)" value={user.email} onChange={(e) => set({ email: e.target.value })} />
      <label className="check">
        <input name="is_admin" type="checkbox" checked={user.is_admin} onChange={(e) => set({ is_admin: e.target.checked })} />
        Platform admin
      </label>
      <button type="submit" className="btn btn-primary" disabled={action.busy}>
        Create user
      </button>
    </form>
  );
}
