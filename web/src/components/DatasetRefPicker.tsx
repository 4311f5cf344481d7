import { listVersions, type Dataset } from '../api';
import { useLoader } from '../hooks';

interface Props {
  /** The datasets the group can read (its own and those shared with it). */
  datasets: Dataset[];
  value: string;
  onChange: (ref: string) => void;
  label: string;
}

const REF = /^([^/@:\s]+\/[^/@:\s]+)([@:].+)?$/;

/** `group/name@v3` -> ["group/name", "@v3"]; no version means the latest. */
function splitRef(ref: string): [string, string] {
  const match = REF.exec(ref);
  return match ? [match[1] ?? '', match[2] ?? ':latest'] : ['', ':latest'];
}

function RefVersionSelect({ dataset, value, onChange, label }: { dataset: string; value: string; onChange: (v: string) => void; label: string }) {
  const [owner = '', name = ''] = dataset.split('/');
  const versions = useLoader(() => (dataset ? listVersions(owner, name) : Promise.resolve(null)), dataset);
  const options = [{ value: ':latest', text: 'latest' }];
  for (const v of versions.data?.items ?? []) {
    options.push({ value: `@${v.name}`, text: v.message ? `${v.name} — ${v.message}` : v.name });
    for (const tag of v.tags.filter((t) => t !== 'latest')) options.push({ value: `:${tag}`, text: `${tag} (${v.name})` });
  }
  if (!options.some((o) => o.value === value)) options.push({ value, text: value.slice(1) });
  return (
    <select aria-label={`${label}: version`} value={value} disabled={!dataset} onChange={(e) => onChange(e.target.value)}>
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.text}
        </option>
      ))}
    </select>
  );
}

/** A dataset and one of its versions or tags, as a job input reference. */
export function DatasetRefPicker({ datasets, value, onChange, label }: Props) {
  const [dataset, version] = splitRef(value);
  const keys = datasets.map((d) => `${d.group}/${d.name}`);
  if (dataset && !keys.includes(dataset)) keys.push(dataset);
  return (
    <>
      <select className="grow" aria-label={`${label}: dataset`} value={dataset} onChange={(e) => onChange(`${e.target.value}:latest`)}>
        <option value="" disabled>
          {keys.length ? 'Choose a dataset…' : 'No datasets in this group'}
        </option>
        {keys.map((key) => (
          <option key={key} value={key}>
            {key}
          </option>
        ))}
      </select>
      <RefVersionSelect dataset={dataset} value={version} onChange={(v) => onChange(`${dataset}${v}`)} label={label} />
    </>
  );
}
