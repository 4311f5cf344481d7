import { useState, type FormEvent } from 'react';
import { createGroup, type Group, type GroupCreate } from '../api';
import { useAction } from '../hooks';
import { ErrorBanner } from './ErrorBanner';

const EMPTY = { name: '', display_name: '', description: '' };

/** Platform admins create groups; empty optional fields are left out. */
export function CreateGroupForm({ onCreated }: { onCreated: (group: Group) => void }) {
  const [fields, setFields] = useState(EMPTY);
  const action = useAction();
  const set = (patch: Partial<typeof EMPTY>) => setFields({ ...fields, ...patch });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body: GroupCreate = { name: fields.name.trim() };
    if (fields.display_name.trim()) body.display_name = fields.display_name.trim();
    if (fields.description.trim()) body.description = fields.description.trim();
    if (await action.run(async () => onCreated(await createGroup(body)))) setFields(EMPTY);
  };

  return (
    <form className="inline-form" onSubmit={submit} aria-label="Create group">
      <ErrorBanner message={action.error} onDismiss={action.clearError} />
      <input name="name" placeholder="name, e.g. vision-lab" required value={fields.name} onChange={(e) => set({ name: e.target.value })} />
      <input name="display_name" placeholder="display name" value={fields.display_name} onChange={(e) => set({ display_name: e.target.value })} />
      <input name="description" className="grow" placeholder="description" value={fields.description} onChange={(e) => set({ description: e.target.value })} />
      <button type="submit" className="btn btn-primary" disabled={action.busy}>
        Create group
      </button>
    </form>
  );
}
