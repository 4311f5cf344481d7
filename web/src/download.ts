// Saving one dataset file: fetch its blob (or its chunks, in order) and hand the bytes to the browser.

import { getBlob, type FileEntry } from './api';
import { baseName } from './filetree';

/** Downloads a file of a dataset version and saves it under its own name. */
export async function downloadFile(owner: string, name: string, entry: FileEntry): Promise<void> {
  const parts: Blob[] = [];
  for (const hash of entry.chunks ?? [entry.hash]) parts.push(await getBlob(owner, name, hash));
  const url = URL.createObjectURL(new Blob(parts, { type: 'application/octet-stream' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = baseName(entry.path);
  document.body.append(link);
  link.click();
  link.remove();
  // The browser reads the object URL after click() returns; free it once the save has started.
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
