import { useEffect, type Dispatch, type SetStateAction } from 'react';
import { listDatasets, listInstanceTypes, type InstanceType } from '../api';
import { formatBytes } from '../format';
import { useLoader } from '../hooks';
import type { JobDraft } from '../jobdraft';
import { DatasetRefPicker } from './DatasetRefPicker';
import { ErrorBanner } from './ErrorBanner';
import { PairRows } from './PairRows';
import { SecretsPicker } from './SecretsPicker';

interface Props {
  group: string;
  draft: JobDraft;
  // A state setter: every change applies to the latest draft, never to the one this render saw.
  onChange: Dispatch<SetStateAction<JobDraft>>;
}

const shape = (t: InstanceType) =>
  `${t.name} · ${t.cpu} CPU · ${formatBytes(t.memory)}${t.gpu ? ` · ${t.gpu} GPU` : ''}`;

interface SelectProps {
  group: string;
  value: string;
  onChange: (name: string) => void;
  onDefault: (name: string) => void;
}

function InstanceTypeSelect({ group, value, onChange, onDefault }: SelectProps) {
  const types = useLoader(() => listInstanceTypes(group), group);
  const items = types.data?.items ?? [];
  const first = items[0]?.name;
  // A new job starts on the group's first instance type.
  useEffect(() => {
    if (!value && first) onDefault(first);
  }, [value, first, onDefault]);
  if (types.error) return <ErrorBanner message={types.error} />;
  return (
    <select name="instance-type" required value={value} onChange={(e) => onChange(e.target.value)}>
      {!value && <option value="">{types.loading ? 'Loading…' : 'No instance type is available to this group'}</option>}
      {value && !items.some((t) => t.name === value) && <option value={value}>{value}</option>}
      {items.map((t) => (
        <option key={t.name} value={t.name}>
          {shape(t)}
        </option>
      ))}
    </select>
  );
}

/** The fields of a job spec: what to run, where, with which variables, secrets and datasets. */
export function JobFields({ group, draft, onChange }: Props) {
  const set = (patch: Partial<JobDraft>) => onChange((latest) => ({ ...latest, ...patch }));
  // The default must not replace a type picked while the list was loading.
  const setDefault = (name: string) => onChange((latest) => (latest.instance_type ? latest : { ...latest, instance_type: name }));
  const datasets = useLoader(() => listDatasets(group), group);
  return (
    <div className="stack">
      <div className="grid-2">
        <label className="field">
          <span>Name</span>
          <input name="job-name" placeholder="train" value={draft.name} onChange={(e) => set({ name: e.target.value })} />
        </label>
        <label className="field">
          <span>Instance type</span>
          <InstanceTypeSelect group={group} value={draft.instance_type} onChange={(instance_type) => set({ instance_type })} onDefault={setDefault} />
        </label>
      </div>
      <label className="field">
        <span>Command (run by /bin/sh)</span>
        <textarea name="command" className="mono" rows={3} required placeholder="python train.py --epochs 10" value={draft.command} onChange={(e) => set({ command: e.target.value })} />
      </label>
      <div className="field">
        <span>Environment variables</span>
        <PairRows label="Environment variables" rows={draft.env} onChange={(env) => set({ env })} keyPlaceholder="NAME" addLabel="Add variable" />
      </div>
      <div className="field">
        <span>Secrets (given to the job as environment variables)</span>
        <SecretsPicker group={group} selected={draft.secrets} onChange={(secrets) => set({ secrets })} />
      </div>
      <div className="field">
        <span>Dataset inputs (mounted read-only; the path is in $ATRIUM_DATA_&lt;NAME&gt;)</span>
        <ErrorBanner message={datasets.error} />
        <PairRows
          label="Dataset inputs"
          rows={draft.inputs}
          onChange={(inputs) => set({ inputs })}
          keyPlaceholder="NAME"
          addLabel="Add dataset"
          renderValue={(value, setValue, i) => (
            <DatasetRefPicker datasets={datasets.data?.items ?? []} value={value} onChange={setValue} label={`Dataset input ${i + 1}`} />
          )}
        />
      </div>
      <div className="grid-3">
        <label className="field">
          <span>Timeout (e.g. 90s, 30m, 2h; empty: none)</span>
          <input name="timeout" value={draft.timeout} onChange={(e) => set({ timeout: e.target.value })} />
        </label>
        <label className="field">
          <span>Retries</span>
          <input name="max-retries" type="number" min={0} max={10} value={draft.max_retries} onChange={(e) => set({ max_retries: e.target.value })} />
        </label>
        <label className="field">
          <span>Priority in the group (higher runs first)</span>
          <input name="priority" type="number" min={-1000} max={1000} value={draft.priority} onChange={(e) => set({ priority: e.target.value })} />
        </label>
        <label className="field">
          <span>Working directory (optional)</span>
          <input name="working-dir" className="mono" value={draft.working_dir} onChange={(e) => set({ working_dir: e.target.value })} />
        </label>
        <label className="field">
          <span>Environment (virtualenv; empty: the server's Python)</span>
          <input name="environment" className="mono" value={draft.environment} onChange={(e) => set({ environment: e.target.value })} />
        </label>
      </div>
    </div>
  );
}
