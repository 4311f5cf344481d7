import type { ReactNode } from 'react';
import type { Pair } from '../jobdraft';

interface Props {
  /** Names the rows for screen readers and tests, e.g. "Environment variables". */
  label: string;
  rows: Pair[];
  onChange: (rows: Pair[]) => void;
  keyPlaceholder: string;
  /** The value editor of one row; a text input when not given. */
  renderValue?: (value: string, set: (value: string) => void, index: number) => ReactNode;
  addLabel: string;
}

/** Editable NAME → value rows with add and remove buttons. */
export function PairRows({ label, rows, onChange, keyPlaceholder, renderValue, addLabel }: Props) {
  const set = (index: number, patch: Partial<Pair>) => onChange(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  return (
    <div className="pair-rows" role="group" aria-label={label}>
      {rows.map((row, index) => (
        <div className="pair-row" key={index}>
          <input
            className="mono"
            aria-label={`${label}: name ${index + 1}`}
            placeholder={keyPlaceholder}
            value={row.key}
            onChange={(e) => set(index, { key: e.target.value })}
          />
          {renderValue ? (
            renderValue(row.value, (value) => set(index, { value }), index)
          ) : (
            <input className="grow" aria-label={`${label}: value ${index + 1}`} placeholder="value" value={row.value} onChange={(e) => set(index, { value: e.target.value })} />
          )}
          <button type="button" className="btn btn-small" aria-label={`Remove ${label.toLowerCase()} row ${index + 1}`} onClick={() => onChange(rows.filter((_, i) => i !== index))}>
            ×
          </button>
        </div>
      ))}
      <div>
        <button type="button" className="btn btn-small" onClick={() => onChange([...rows, { key: '', value: '' }])}>
          {addLabel}
        </button>
      </div>
    </div>
  );
}
