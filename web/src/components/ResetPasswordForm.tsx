import { useState, type FormEvent } from 'react';

interface Props {
  username: string;
  busy: boolean;
  onReset: (password: string) => void;
  onCancel: () => void;
}

/** An inline form for an admin to set a new password for someone (their sessions are revoked). */
export function ResetPasswordForm({ username, busy, onReset, onCancel }: Props) {
  const [password, setPassword] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onReset(password);
  };
  return (
    <form className="subpanel inline-form" onSubmit={submit} aria-label={`Reset password of ${username}`}>
      <span>
        New password for <strong>{username}</strong>
      </span>
      <input name="new-password" type="password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      <button type="submit" className="btn btn-primary" disabled={busy}>
        Set password
      </button>
      <button type="button" className="btn" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}
