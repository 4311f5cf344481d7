import { useState, type FormEvent } from 'react';
import { createInstanceType, type InstanceTypeCreate } from '../api';
import { parseQuantity } from '../format';
import { useAction } from '../hooks';
import { ErrorBanner } from './ErrorBanner';

const EMPTY = { name: '', display_name: '', description: '', cpu: '', memory: '', gpu: '0', is_global: true, groups: [] as string[] };
type Fields = typeof EMPTY;
type TextField = 'name' | 'display_name' | 'description' | 'cpu' | 'memory' | 'gpu';

function required(value: number | string | null, label: string): number | string {
  if (value === null) throw new Error(`${label} is required`);
  return value;
}

function toCreate(f: Fields): InstanceTypeCreate {
  const body: InstanceTypeCreate = {
    name: f.name.trim(),
    cpu: Number(required(parseQuantity(f.cpu, 'CPU', false), 'CPU')),
    memory: required(parseQuantity(f.memory, 'Memory', true), 'Memory'),
    gpu: Number(required(parseQuantity(f.gpu, 'GPU', false), 'GPU')),
    is_global: f.is_global,
    groups: f.is_global ? [] : f.groups,
  };
  if (f.display_name.trim()) body.display_name = f.display_name.trim();
  if (f.description.trim()) body.description = f.description.trim();
  return body;
}

interface Props {
  groupNames: string[];
  onCreated: (name: string) => void;
}

/** Defines a machine shape; global types are usable by every group, others only by the chosen groups. */
export function CreateInstanceTypeForm({ groupNames, onCreated }: Props) {
  const [fields, setFields] = useState<Fields>(EMPTY);
  const action = useAction();
  const set = (patch: Partial<Fields>) => setFields({ ...fields, ...patch });
  const text = (key: TextField, label: string, isRequired = true) => (
    <label className="field">
      <span>{label}</span>
      <input name={key} value={fields[key]} required={isRequired} onChange={(e) => set({ [key]: e.target.value })} />
    </label>
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const ok = await action.run(async () => {
      const created = await createInstanceType(toCreate(fields));
      onCreated(created.name);
    });
    if (ok) setFields(EMPTY);
  };

  return (
    <form className="stack" onSubmit={submit} aria-label="Create instance type">
      <ErrorBanner message={action.error} onDismiss={action.clearError} />
      <div className="grid-3">
        {text('name', 'Name')}
        {text('display_name', 'Display name', false)}
        {text('description', 'Description', false)}
        {text('cpu', 'CPU (cores)')}
        {text('memory', 'Memory (e.g. 16Gi)')}
        {text('gpu', 'GPU')}
      </div>
      <label className="check">
        <input name="is_global" type="checkbox" checked={fields.is_global} onChange={(e) => set({ is_global: e.target.checked })} />
        Global (available to every group)
      </label>
      {!fields.is_global && (
        <label className="field">
          <span>Groups allowed to use it</span>
          <select
            name="groups"
            multiple
            size={Math.min(Math.max(groupNames.length, 3), 8)}
            value={fields.groups}
            onChange={(e) => set({ groups: Array.from(e.target.selectedOptions, (o) => o.value) })}
          >
            {groupNames.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </label>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={action.busy}>
          Create instance type
        </button>
      </div>
    </form>
  );
}
