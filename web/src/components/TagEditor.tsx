import { useState, type FormEvent } from 'react';
import { deleteTag, listTags, setTag, type DatasetTag, type Version } from '../api';
import { useAction, usePaged } from '../hooks';
import { ConfirmButton } from './ConfirmButton';
import { ErrorBanner } from './ErrorBanner';
import { LoadMore } from './LoadMore';
import { Table, type Column } from './Table';
import { VersionSelect } from './VersionSelect';
import { VersionTags } from './VersionTags';

interface Props {
  owner: string;
  name: string;
  versions: Version[];
  /** Writers set, move and delete tags; readers see them. */
  writable: boolean;
  /** The dataset's latest version: a push moves `latest`, so the list reloads when it changes. */
  latest: string | null;
  onChanged: () => void;
}

function TagForm({ versions, busy, onSet }: { versions: Version[]; busy: boolean; onSet: (tag: string, version: string) => Promise<boolean> }) {
  const [tag, setTagName] = useState('');
  const [chosen, setChosen] = useState('');
  const version = chosen || versions[0]?.name || '';
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await onSet(tag.trim(), version)) setTagName('');
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Set tag">
      <input name="tag" placeholder="tag, e.g. golden" required value={tag} onChange={(e) => setTagName(e.target.value)} />
      <VersionSelect name="tag-version" label="Version to tag" versions={versions} value={version} onChange={setChosen} />
      <button type="submit" className="btn btn-primary" disabled={busy || !version}>
        Set tag
      </button>
    </form>
  );
}

/** The dataset's tags: writers point a tag at a version, move it, or delete it; `latest` is automatic. */
export function TagEditor({ owner, name, versions, writable, latest, onChanged }: Props) {
  const tags = usePaged((cursor) => listTags(owner, name, cursor), `${owner}/${name}:${latest ?? ''}`);
  const action = useAction();
  const mutate = async (mutation: () => Promise<unknown>) => {
    const ok = await action.run(mutation);
    tags.reload();
    onChanged();
    return ok;
  };
  const editable = (t: DatasetTag) => writable && t.tag !== 'latest';

  const columns: Column<DatasetTag>[] = [
    { header: 'Tag', render: (t) => <VersionTags tags={[t.tag]} /> },
    {
      header: 'Version',
      render: (t) =>
        editable(t) ? (
          <VersionSelect
            label={`Version of tag ${t.tag}`}
            versions={versions}
            value={t.version}
            onChange={(v) => void mutate(() => setTag(owner, name, t.tag, v))}
          />
        ) : (
          <span className="mono">{t.version}</span>
        ),
    },
    {
      header: 'Actions',
      className: 'actions',
      render: (t) =>
        editable(t) ? (
          <ConfirmButton label="Delete" question={`Delete tag ${t.tag}?`} onConfirm={() => void mutate(() => deleteTag(owner, name, t.tag))} />
        ) : (
          <span className="muted">{t.tag === 'latest' ? 'automatic' : ''}</span>
        ),
    },
  ];

  return (
    <div className="stack">
      <ErrorBanner message={tags.error ?? action.error} onDismiss={action.clearError} />
      {writable && versions.length > 0 && (
        <TagForm versions={versions} busy={action.busy} onSet={(tag, v) => mutate(() => setTag(owner, name, tag, v))} />
      )}
      <Table label="Tags" columns={columns} rows={tags.data} rowKey={(t) => t.tag} empty="No tags yet: push a version first." loading={tags.loading} />
      <LoadMore hasMore={tags.hasMore} onClick={tags.loadMore} />
    </div>
  );
}
