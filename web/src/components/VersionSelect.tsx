import type { Version } from '../api';

interface Props {
  versions: Version[];
  value: string;
  onChange: (version: string) => void;
  label: string;
  name?: string;
}

/** Picks one of the loaded versions by name ("v3"); its tags are shown beside it. */
export function VersionSelect({ versions, value, onChange, label, name }: Props) {
  return (
    <select name={name} aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
      {versions.map((v) => (
        <option key={v.name} value={v.name}>
          {v.tags.length ? `${v.name} (${v.tags.join(', ')})` : v.name}
        </option>
      ))}
    </select>
  );
}
