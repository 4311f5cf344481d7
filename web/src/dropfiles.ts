// Reading what the user dropped or picked, whole folders included, with paths relative to the drop.

import type { StagedFile } from './push';

/** Dataset paths are relative POSIX paths in NFC, as the server requires. */
function datasetPath(path: string): string {
  return path.replace(/^\/+/, '').normalize('NFC');
}

/** Files from an `<input type="file">`; a folder picker gives each file its path inside the folder. */
export function fromFileList(list: FileList): StagedFile[] {
  return Array.from(list, (file) => ({ path: datasetPath(file.webkitRelativePath || file.name), file }));
}

const isFile = (entry: FileSystemEntry): entry is FileSystemFileEntry => entry.isFile;
const isDirectory = (entry: FileSystemEntry): entry is FileSystemDirectoryEntry => entry.isDirectory;

/** Walks one dropped entry depth first; stops once `out` holds more than `limit` files. */
async function walk(entry: FileSystemEntry, out: StagedFile[], limit: number): Promise<void> {
  if (out.length > limit) return;
  if (isFile(entry)) {
    const file = await new Promise<File>((resolve, reject) => entry.file(resolve, reject));
    out.push({ path: datasetPath(entry.fullPath), file });
  } else if (isDirectory(entry)) {
    const reader = entry.createReader();
    // readEntries answers in batches (100 at a time in Chromium) until it returns an empty one.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (!batch.length || out.length > limit) return;
      for (const child of batch) await walk(child, out, limit);
    }
  }
}

/**
 * The files of a drop, walking dropped folders. Collects at most `limit + 1` files so that a huge
 * folder is refused quickly rather than read in full.
 */
export async function fromDataTransfer(data: DataTransfer, limit: number): Promise<StagedFile[]> {
  // Entries must be taken before the first await: the browser empties the DataTransfer afterwards.
  const entries = Array.from(data.items, (item) => (item.kind === 'file' ? item.webkitGetAsEntry() : null)).filter(
    (entry): entry is FileSystemEntry => entry !== null,
  );
  if (!entries.length) return fromFileList(data.files);
  const out: StagedFile[] = [];
  for (const entry of entries) await walk(entry, out, limit);
  return out;
}
