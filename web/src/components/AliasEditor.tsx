import { useState, type FormEvent } from 'react';
import { deleteAlias, setAlias, type ModelVersion, type RegisteredModel } from '../api';
import { useAction } from '../hooks';
import { ConfirmButton } from './ConfirmButton';
import { ErrorBanner } from './ErrorBanner';

interface Props {
  model: RegisteredModel;
  /** The versions an alias may point at (ready ones). */
  versions: ModelVersion[];
  onChanged: () => void;
}

/** The model's aliases, each removable, and a form that sets or moves one; refusals show inline. */
export function AliasEditor({ model, versions, onChanged }: Props) {
  const action = useAction();
  const ready = versions.filter((v) => v.status === 'ready');
  const [alias, setAliasName] = useState('');
  const [version, setVersion] = useState('');
  const chosen = version || String(ready[0]?.version ?? '');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(() => setAlias(model.group, model.name, alias.trim(), Number(chosen))).then((ok) => {
      if (!ok) return;
      setAliasName('');
      onChanged();
    });
  };
  const remove = (name: string) => void action.run(() => deleteAlias(model.group, model.name, name)).then((ok) => ok && onChanged());
  const aliases = Object.entries(model.aliases).sort(([a], [b]) => (a < b ? -1 : 1));
  return (
    <div className="stack">
      {aliases.length === 0 && <p className="muted">No aliases yet.</p>}
      {aliases.length > 0 && (
        <ul className="plain-list alias-list" aria-label="Aliases">
          {aliases.map(([name, v]) => (
            <li key={name} data-alias={name}>
              <span className="tag tag-alias">@{name}</span> → v{v}
              <ConfirmButton label="Remove" question={`Remove @${name}?`} onConfirm={() => remove(name)} disabled={action.busy} />
            </li>
          ))}
        </ul>
      )}
      <form className="inline-form" aria-label="Set alias" onSubmit={submit}>
        <input
          name="alias"
          aria-label="Alias"
          placeholder="production"
          list="alias-names"
          required
          value={alias}
          onChange={(e) => setAliasName(e.target.value)}
        />
        <datalist id="alias-names">
          {aliases.map(([name]) => (
            <option key={name} value={name} />
          ))}
        </datalist>
        <select aria-label="Version" value={chosen} onChange={(e) => setVersion(e.target.value)}>
          {ready.map((v) => (
            <option key={v.version} value={v.version}>
              v{v.version}
            </option>
          ))}
        </select>
        <button type="submit" className="btn btn-primary" disabled={action.busy || !chosen}>
          {alias.trim() && alias.trim() in model.aliases ? 'Move alias' : 'Set alias'}
        </button>
        <ErrorBanner message={action.error} onDismiss={action.clearError} />
      </form>
    </div>
  );
}
