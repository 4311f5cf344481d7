// A flat file list (a dataset version's, a run's artifacts) as a tree of folders with totals.

import type { FileEntry } from './api';

/** What a tree holds: anything with a path and a size. */
export interface TreeFile {
  path: string;
  size: number;
}

export interface Folder<T extends TreeFile = FileEntry> {
  name: string;
  /** The folder's path inside the dataset; "" for the root. */
  path: string;
  folders: Folder<T>[];
  files: T[];
  /** Files and bytes in the folder and everything under it. */
  count: number;
  bytes: number;
}

interface Building<T extends TreeFile> extends Folder<T> {
  children: Map<string, Building<T>>;
}

function folder<T extends TreeFile>(name: string, path: string): Building<T> {
  return { name, path, folders: [], files: [], count: 0, bytes: 0, children: new Map() };
}

function finish<T extends TreeFile>(node: Building<T>): Folder<T> {
  const folders = [...node.children.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map(finish);
  return { name: node.name, path: node.path, folders, files: node.files, count: node.count, bytes: node.bytes };
}

export function buildTree<T extends TreeFile>(entries: T[]): Folder<T> {
  const root = folder<T>('', '');
  for (const entry of entries) {
    const parts = entry.path.split('/');
    let node = root;
    node.count += 1;
    node.bytes += entry.size;
    for (const part of parts.slice(0, -1)) {
      let child = node.children.get(part);
      if (!child) {
        child = folder<T>(part, node.path ? `${node.path}/${part}` : part);
        node.children.set(part, child);
      }
      node = child;
      node.count += 1;
      node.bytes += entry.size;
    }
    node.files.push(entry);
  }
  return finish(root);
}

/** The last segment of a path: what a file is called inside its folder. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
