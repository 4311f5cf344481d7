import { useMemo, useState } from 'react';
import { listFiles, type FileEntry } from '../api';
import { downloadFile } from '../download';
import { baseName, buildTree, type Folder } from '../filetree';
import { formatBytes } from '../format';
import { useAction, usePaged } from '../hooks';
import { ErrorBanner } from './ErrorBanner';
import { LoadMore } from './LoadMore';

/** Files fetched per request; "Load more" fetches the next page. */
const PAGE = 2000;

interface Props {
  owner: string;
  name: string;
  version: string;
  /** How many files the version has, to say when only part of it is loaded. */
  fileCount: number;
}

interface RowProps {
  depth: number;
  onDownload: (entry: FileEntry) => void;
  downloading: string | null;
}

function FileRow({ entry, depth, onDownload, downloading }: RowProps & { entry: FileEntry }) {
  return (
    <li className="tree-row" data-path={entry.path} style={{ paddingLeft: `${depth * 18 + 22}px` }}>
      <span className="tree-name mono" title={entry.path}>
        {baseName(entry.path)}
      </span>
      <span className="tree-size">{formatBytes(entry.size)}</span>
      <button
        type="button"
        className="btn btn-small"
        aria-label={`Download ${entry.path}`}
        disabled={downloading !== null}
        onClick={() => onDownload(entry)}
      >
        {downloading === entry.path ? 'Downloading…' : 'Download'}
      </button>
    </li>
  );
}

function FolderRows({ folder, ...row }: RowProps & { folder: Folder }) {
  return (
    <>
      {folder.folders.map((child) => (
        <FolderNode key={child.path} folder={child} {...row} />
      ))}
      {folder.files.map((entry) => (
        <FileRow key={entry.path} entry={entry} {...row} />
      ))}
    </>
  );
}

function FolderNode({ folder, depth, ...row }: RowProps & { folder: Folder }) {
  const [open, setOpen] = useState(depth === 0);
  return (
    <>
      <li className="tree-row tree-folder" data-path={`${folder.path}/`} style={{ paddingLeft: `${depth * 18}px` }}>
        <button type="button" className="tree-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
          <span className="tree-caret" aria-hidden="true">
            {open ? '▾' : '▸'}
          </span>
          <span className="mono">{folder.name}/</span>
        </button>
        <span className="tree-count muted">
          {folder.count} {folder.count === 1 ? 'file' : 'files'}
        </span>
        <span className="tree-size">{formatBytes(folder.bytes)}</span>
      </li>
      {open && <FolderRows folder={folder} depth={depth + 1} {...row} />}
    </>
  );
}

/** One version's files as a tree: folders collapse, show their totals, and files download. */
export function FileTree({ owner, name, version, fileCount }: Props) {
  const files = usePaged((cursor) => listFiles(owner, name, version, PAGE, cursor), `${owner}/${name}@${version}`);
  const tree = useMemo(() => buildTree(files.data ?? []), [files.data]);
  const [downloading, setDownloading] = useState<string | null>(null);
  const action = useAction();
  const download = (entry: FileEntry) => {
    setDownloading(entry.path);
    void action.run(() => downloadFile(owner, name, entry)).finally(() => setDownloading(null));
  };

  const loaded = files.data?.length ?? 0;
  return (
    <div className="stack" data-testid="file-tree" data-version={version}>
      <ErrorBanner message={files.error ?? action.error} onDismiss={action.clearError} />
      {files.loading && !files.data && <p className="muted">Loading files of {version}…</p>}
      {files.data && (
        <p className="muted" data-testid="file-tree-total">
          {loaded < fileCount ? `${loaded} of ${fileCount} files loaded` : `${fileCount} ${fileCount === 1 ? 'file' : 'files'}`},{' '}
          {formatBytes(tree.bytes)}
          {loaded < fileCount && ' (folder totals count the loaded files)'}
        </p>
      )}
      {files.data && loaded > 0 && (
        <ul className="tree" aria-label={`Files of ${version}`}>
          <FolderRows folder={tree} depth={0} onDownload={download} downloading={downloading} />
        </ul>
      )}
      <LoadMore hasMore={files.hasMore} onClick={files.loadMore} />
    </div>
  );
}
