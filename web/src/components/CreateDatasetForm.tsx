import { useState, type FormEvent } from 'react';
import { createDataset, type Dataset, type DatasetCreate } from '../api';
import { useAction } from '../hooks';
import { ErrorBanner } from './ErrorBanner';

const EMPTY = { name: '', description: '' };

/** Any member creates a dataset in the group; versions are pushed afterwards. */
export function CreateDatasetForm({ group, onCreated }: { group: string; onCreated: (dataset: Dataset) => void }) {
  const [fields, setFields] = useState(EMPTY);
  const action = useAction();
  const set = (patch: Partial<typeof EMPTY>) => setFields({ ...fields, ...patch });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body: DatasetCreate = { name: fields.name.trim() };
    if (fields.description.trim()) body.description = fields.description.trim();
    if (await action.run(async () => onCreated(await createDataset(group, body)))) setFields(EMPTY);
  };

  return (
    <form className="inline-form" onSubmit={submit} aria-label="Create dataset">
      <ErrorBanner message={action.error} onDismiss={action.clearError} />
      <input name="name" placeholder="name, e.g. cifar-small" required value={fields.name} onChange={(e) => set({ name: e.target.value })} />
      <input name="description" className="grow" placeholder="description" value={fields.description} onChange={(e) => set({ description: e.target.value })} />
      <button type="submit" className="btn btn-primary" disabled={action.busy}>
        Create dataset
      </button>
    </form>
  );
}
