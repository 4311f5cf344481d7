import { KINDS, type Kind, type KeyColumn } from '../runcolumns';

interface Props {
  available: Record<Kind, string[]>;
  chosen: KeyColumn[];
  onChange: (columns: KeyColumn[]) => void;
}

const TITLES: Record<Kind, string> = { metrics: 'Metrics', params: 'Params', tags: 'Tags' };

/** A drop-down of the metrics, params and tags keys the runs have, each a column to show or hide. */
export function ColumnPicker({ available, chosen, onChange }: Props) {
  const has = (kind: Kind, key: string) => chosen.some((c) => c.kind === kind && c.key === key);
  const toggle = (kind: Kind, key: string) =>
    onChange(has(kind, key) ? chosen.filter((c) => c.kind !== kind || c.key !== key) : [...chosen, { kind, key }]);
  return (
    <details className="column-picker">
      <summary className="btn">Columns ({chosen.length})</summary>
      <div className="column-picker-menu" role="group" aria-label="Columns">
        {KINDS.map((kind) => {
          const keys = [...new Set([...available[kind], ...chosen.filter((c) => c.kind === kind).map((c) => c.key)])].sort();
          return (
            <fieldset key={kind}>
              <legend>{TITLES[kind]}</legend>
              {keys.length === 0 && <span className="muted">none</span>}
              {keys.map((key) => (
                <label key={key} className="check">
                  <input type="checkbox" aria-label={`${kind}.${key}`} checked={has(kind, key)} onChange={() => toggle(kind, key)} />
                  <span className="mono">{key}</span>
                </label>
              ))}
            </fieldset>
          );
        })}
      </div>
    </details>
  );
}
