import { useState, type ChangeEvent, type FormEvent } from 'react';
import { formatBytes } from '../format';

interface Props {
  /** Set when replacing the value of an existing secret; the name is then fixed. */
  name?: string;
  busy: boolean;
  onSave: (name: string, value: string) => Promise<boolean>;
  onCancel?: () => void;
}

/**
 * A secret's name and value. The value is typed into a password field (never echoed) or read
 * from a file, which keeps the line breaks a PEM key or a JSON credential needs.
 */
export function SecretForm({ name: fixedName, busy, onSave, onCancel }: Props) {
  const [name, setName] = useState(fixedName ?? '');
  const [value, setValue] = useState('');
  const [fromFile, setFromFile] = useState<string | null>(null);

  const readFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setValue(await file.text());
    setFromFile(`${file.name} (${formatBytes(file.size)})`);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await onSave(name.trim(), value)) {
      setName(fixedName ?? '');
      setValue('');
      setFromFile(null);
    }
  };

  return (
    <form className="inline-form" onSubmit={submit} aria-label={fixedName ? `New value for ${fixedName}` : 'Create secret'}>
      {!fixedName && (
        <input name="secret-name" className="mono secret-name" placeholder="NAME, e.g. DB_PASSWORD" required value={name} onChange={(e) => setName(e.target.value)} />
      )}
      <input
        name="secret-value"
        type="password"
        className="grow"
        autoComplete="new-password"
        placeholder="value (hidden as you type, never shown again)"
        required
        value={value}
        onChange={(e) => {
          setValue(e.target.value);
          setFromFile(null);
        }}
      />
      <label className="btn file-button">
        From file…
        <input type="file" className="visually-hidden" data-testid="secret-file" onChange={(e) => void readFile(e)} />
      </label>
      {fromFile && <span className="muted">read from {fromFile}</span>}
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {fixedName ? 'Save value' : 'Create secret'}
      </button>
      {onCancel && (
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      )}
    </form>
  );
}
