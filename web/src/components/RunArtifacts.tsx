import { useMemo, useState } from 'react';
import { listRunArtifacts, type RunArtifact } from '../api';
import { baseName, buildTree, type Folder } from '../filetree';
import { formatBytes } from '../format';
import { usePaged } from '../hooks';
import { ArtifactPreview } from './ArtifactPreview';
import { Card } from './Card';
import { ErrorBanner } from './ErrorBanner';
import { LoadMore } from './LoadMore';

interface RowProps {
  depth: number;
  chosen: string | null;
  onChoose: (artifact: RunArtifact) => void;
}

function Rows({ folder, depth, chosen, onChoose }: RowProps & { folder: Folder<RunArtifact> }) {
  return (
    <>
      {folder.folders.map((child) => (
        <FolderNode key={child.path} folder={child} depth={depth} chosen={chosen} onChoose={onChoose} />
      ))}
      {folder.files.map((file) => (
        <li key={file.path} className={`tree-row${chosen === file.path ? ' tree-chosen' : ''}`} data-path={file.path} style={{ paddingLeft: `${depth * 18 + 22}px` }}>
          <button type="button" className="tree-toggle tree-name mono" title={file.path} onClick={() => onChoose(file)}>
            {baseName(file.path)}
          </button>
          <span className="tree-size">{formatBytes(file.size)}</span>
        </li>
      ))}
    </>
  );
}

function FolderNode({ folder, depth, ...row }: RowProps & { folder: Folder<RunArtifact> }) {
  const [open, setOpen] = useState(true);
  return (
    <>
      <li className="tree-row tree-folder" data-path={`${folder.path}/`} style={{ paddingLeft: `${depth * 18}px` }}>
        <button type="button" className="tree-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
          <span className="tree-caret" aria-hidden="true">
            {open ? '▾' : '▸'}
          </span>
          <span className="mono">{folder.name}/</span>
        </button>
        <span className="tree-size">{formatBytes(folder.bytes)}</span>
      </li>
      {open && <Rows folder={folder} depth={depth + 1} {...row} />}
    </>
  );
}

/** A run's artifacts as a tree; choosing a file previews it beside the tree. */
export function RunArtifacts({ group, runId }: { group: string; runId: string }) {
  const artifacts = usePaged((cursor) => listRunArtifacts(group, runId, cursor), `${group}/${runId}`);
  const tree = useMemo(() => buildTree(artifacts.data ?? []), [artifacts.data]);
  const [chosen, setChosen] = useState<RunArtifact | null>(null);
  return (
    <Card title="Artifacts">
      <ErrorBanner message={artifacts.error} />
      {artifacts.data?.length === 0 && <p className="muted">No artifacts: files logged with run.log_artifact appear here.</p>}
      {!!artifacts.data?.length && (
        <div className="artifacts-layout">
          <ul className="tree" aria-label="Artifacts">
            <Rows folder={tree} depth={0} chosen={chosen?.path ?? null} onChoose={setChosen} />
          </ul>
          {chosen ? <ArtifactPreview key={chosen.path} group={group} runId={runId} artifact={chosen} /> : <p className="muted">Choose a file to preview it.</p>}
        </div>
      )}
      <LoadMore hasMore={artifacts.hasMore} onClick={artifacts.loadMore} />
    </Card>
  );
}
