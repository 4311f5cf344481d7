import { useState, type FormEvent } from 'react';
import { RESOURCES, type Quota, type QuotaInput, type Resource } from '../api';
import { BYTE_RESOURCES, RESOURCE_LABELS, limitToInput, parseQuantity } from '../format';
import { useAction, useLoader } from '../hooks';
import { ErrorBanner } from './ErrorBanner';

interface Props {
  /** Identifies what is being edited; the form reloads when it changes. */
  subject: string;
  load: () => Promise<Quota>;
  save: (quota: QuotaInput) => Promise<Quota>;
  onSaved: () => void;
  onCancel: () => void;
}

type Fields = Record<Resource, string>;

function toFields(quota: Quota): Fields {
  return Object.fromEntries(RESOURCES.map((r) => [r, limitToInput(r, quota[r])])) as Fields;
}

function toInput(fields: Fields): QuotaInput {
  return Object.fromEntries(
    RESOURCES.map((r) => [r, parseQuantity(fields[r], RESOURCE_LABELS[r], BYTE_RESOURCES.has(r))]),
  ) as QuotaInput;
}

/** Edits the six quota limits; an empty field means unlimited. Memory and storage accept "16Gi". */
export function QuotaForm({ subject, load, save, onSaved, onCancel }: Props) {
  const loaded = useLoader(load, subject);
  const [edits, setEdits] = useState<Partial<Fields>>({});
  const action = useAction();
  if (!loaded.data) {
    return loaded.error ? <ErrorBanner message={loaded.error} /> : <p className="muted">Loading quota…</p>;
  }
  const fields: Fields = { ...toFields(loaded.data), ...edits };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await action.run(() => save(toInput(fields)))) onSaved();
  };

  return (
    <form className="quota-form" onSubmit={submit} aria-label={`Quota for ${subject}`}>
      <ErrorBanner message={action.error} onDismiss={action.clearError} />
      <div className="grid-3">
        {RESOURCES.map((r) => (
          <label key={r} className="field">
            <span>{RESOURCE_LABELS[r]}</span>
            <input
              name={r}
              value={fields[r]}
              placeholder={BYTE_RESOURCES.has(r) ? 'unlimited (e.g. 16Gi)' : 'unlimited'}
              onChange={(e) => setEdits({ ...edits, [r]: e.target.value })}
            />
          </label>
        ))}
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={action.busy}>
          Save quota
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
