import { Link } from 'react-router-dom';
import { listSecrets } from '../api';
import { useLoader } from '../hooks';
import { ErrorBanner } from './ErrorBanner';

interface Props {
  group: string;
  selected: string[];
  onChange: (names: string[]) => void;
}

/** Picks which of the group's secrets a job receives as environment variables. */
export function SecretsPicker({ group, selected, onChange }: Props) {
  const secrets = useLoader(() => listSecrets(group), group);
  const names = secrets.data?.items.map((s) => s.name) ?? [];
  // A cloned spec may name a secret deleted since: keep it visible so it can be unticked.
  const all = [...names, ...selected.filter((n) => !names.includes(n))];
  const toggle = (name: string, on: boolean) => onChange(on ? [...selected, name] : selected.filter((n) => n !== name));
  if (secrets.error) return <ErrorBanner message={secrets.error} />;
  if (secrets.data && all.length === 0) {
    return (
      <p className="muted">
        The group has no secrets (<Link to={`/g/${encodeURIComponent(group)}/secrets`}>add one</Link>).
      </p>
    );
  }
  return (
    <div className="check-list" role="group" aria-label="Secrets">
      {all.map((name) => (
        <label key={name} className="check">
          <input type="checkbox" checked={selected.includes(name)} onChange={(e) => toggle(name, e.target.checked)} />
          <span className="mono">{name}</span>
          {!names.includes(name) && <span className="tag tag-failure">missing</span>}
        </label>
      ))}
    </div>
  );
}
