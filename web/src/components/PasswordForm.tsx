import { useState, type FormEvent } from 'react';
import { changePassword } from '../api';
import { useAction } from '../hooks';
import { ErrorBanner } from './ErrorBanner';
import { Notice } from './Notice';

/** Changes the signed-in user's own password. */
export function PasswordForm() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [done, setDone] = useState(false);
  const action = useAction();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    const ok = await action.run(async () => {
      if (next !== repeat) throw new Error('The new passwords do not match.');
      await changePassword(current, next);
    });
    if (ok) {
      setCurrent('');
      setNext('');
      setRepeat('');
      setDone(true);
    }
  };

  return (
    <form className="stack" onSubmit={submit} aria-label="Change password">
      <ErrorBanner message={action.error} onDismiss={action.clearError} />
      <Notice>{done && 'Password changed.'}</Notice>
      <label className="field">
        <span>Current password</span>
        <input name="current-password" type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} />
      </label>
      <label className="field">
        <span>New password</span>
        <input name="new-password" type="password" autoComplete="new-password" required value={next} onChange={(e) => setNext(e.target.value)} />
      </label>
      <label className="field">
        <span>Repeat new password</span>
        <input name="repeat-password" type="password" autoComplete="new-password" required value={repeat} onChange={(e) => setRepeat(e.target.value)} />
      </label>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={action.busy}>
          Change password
        </button>
      </div>
    </form>
  );
}
