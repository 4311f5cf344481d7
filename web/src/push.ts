// Pushing a new dataset version from the browser (docs/datasets.md): hash every file with BLAKE3,
// ask the server which blobs it lacks (`plan`), upload those in packs, then commit the manifest.

import { createBLAKE3, type IHasher } from 'hash-wasm';
import {
  ApiError,
  createVersion,
  listFiles,
  planVersion,
  putBlob,
  uploadPack,
  type FileEntry,
  type Version,
  type VersionCreate,
} from './api';
import { formatBytes } from './format';

/** Files over this size are stored as chunks of it, each its own blob. */
const CHUNK_SIZE = 64 * 1024 * 1024;
/** One pack request carries at most this many bytes; larger blobs go alone with PUT. */
const PACK_BYTES = 16 * 1024 * 1024;
/** Files are read in slices of this size while hashing. */
const READ_BYTES = 8 * 1024 * 1024;
/** A pack record's header: 32 raw hash bytes and an 8-byte big-endian size. */
const RECORD_HEADER = 40;
const MANIFEST_PAGE = 100_000;
/** Browsers cannot see the executable bit; uploaded files are plain files. */
const FILE_MODE = 0o644;

/** What the browser uploads per version; larger pushes belong to the CLI or SDK. */
export const MAX_UPLOAD_FILES = 5000;
export const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;

/** A file chosen for upload and the path it gets in the dataset. */
export interface StagedFile {
  path: string;
  file: File;
}

type Phase = 'hashing' | 'planning' | 'uploading' | 'committing';

export interface Progress {
  phase: Phase;
  /** Files hashed, or blobs uploaded. */
  done: number;
  total: number;
  bytes: number;
  bytesTotal: number;
}

export interface PushRequest {
  owner: string;
  name: string;
  files: StagedFile[];
  message: string;
  /** The dataset's latest version when the push started: the commit's expected parent. */
  latest: string | null;
  /** Keep the latest version's files and lay the staged ones over them. */
  startFromLatest: boolean;
  onProgress: (progress: Progress) => void;
}

/** Where one blob's bytes lie in a staged file. */
interface BlobSource {
  file: File;
  offset: number;
  size: number;
}

/** Small files are read this many at a time (and this many bytes at most): a read costs more than hashing. */
const READ_AHEAD_FILES = 32;
const READ_AHEAD_BYTES = 32 * 1024 * 1024;
/** Progress is reported at most this often, and when a phase ends. */
const REPORT_MS = 100;

type Report = (progress: Progress, final?: boolean) => void;

function throttle(onProgress: (progress: Progress) => void): Report {
  let last = 0;
  return (progress, final = false) => {
    const now = performance.now();
    if (final || now - last >= REPORT_MS) {
      last = now;
      onProgress({ ...progress });
    }
  };
}

/** Hashes a large file slice by slice; a file over CHUNK_SIZE also gets the hash of each chunk. */
async function hashLarge(file: File, whole: IHasher, part: IHasher, onBytes: (n: number) => void) {
  const chunked = file.size > CHUNK_SIZE;
  const chunks: string[] = [];
  whole.init();
  for (let start = 0; start < file.size; start += CHUNK_SIZE) {
    const end = Math.min(start + CHUNK_SIZE, file.size);
    part.init();
    for (let at = start; at < end; at += READ_BYTES) {
      const bytes = new Uint8Array(await file.slice(at, Math.min(at + READ_BYTES, end)).arrayBuffer());
      whole.update(bytes);
      if (chunked) part.update(bytes);
      onBytes(bytes.length);
    }
    if (chunked) chunks.push(part.digest('hex'));
  }
  return { hash: whole.digest('hex'), chunks: chunked ? chunks : null };
}

/** The next files to read at once: a run of small files, or one large file alone. */
function nextRun(files: StagedFile[], from: number): StagedFile[] {
  const run: StagedFile[] = [];
  let bytes = 0;
  for (const staged of files.slice(from, from + READ_AHEAD_FILES)) {
    const size = staged.file.size;
    if (run.length && (size > READ_BYTES || bytes + size > READ_AHEAD_BYTES)) break;
    run.push(staged);
    bytes += size;
    if (size > READ_BYTES) break;
  }
  return run;
}

/** Hashes the staged files; returns their manifest entries and where each blob's bytes are. */
async function hashAll(files: StagedFile[], onProgress: (progress: Progress) => void) {
  const report = throttle(onProgress);
  const [whole, part] = await Promise.all([createBLAKE3(), createBLAKE3()]);
  const bytesTotal = files.reduce((sum, f) => sum + f.file.size, 0);
  const progress: Progress = { phase: 'hashing', done: 0, total: files.length, bytes: 0, bytesTotal };
  const entries: FileEntry[] = [];
  const sources = new Map<string, BlobSource>();
  const add = (staged: StagedFile, hash: string, chunks: string[] | null) => {
    const { size } = staged.file;
    entries.push({ path: staged.path, size, hash, mode: FILE_MODE, chunks });
    (chunks ?? [hash]).forEach((blob, i) => {
      const offset = i * CHUNK_SIZE;
      sources.set(blob, { file: staged.file, offset, size: Math.min(CHUNK_SIZE, size - offset) });
    });
    progress.done += 1;
    report(progress);
  };
  report(progress, true);
  for (let next = 0; next < files.length; ) {
    const run = nextRun(files, next);
    next += run.length;
    const [first] = run;
    if (first && first.file.size > READ_BYTES) {
      const { hash, chunks } = await hashLarge(first.file, whole, part, (n) => {
        progress.bytes += n;
        report(progress);
      });
      add(first, hash, chunks);
      continue;
    }
    const contents = await Promise.all(run.map((staged) => staged.file.arrayBuffer()));
    run.forEach((staged, i) => {
      whole.init();
      whole.update(new Uint8Array(contents[i] as ArrayBuffer));
      progress.bytes += staged.file.size;
      add(staged, whole.digest('hex'), null);
    });
  }
  report(progress, true);
  return { entries, sources };
}

async function manifestOf(owner: string, name: string, ref: string): Promise<FileEntry[]> {
  const files: FileEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await listFiles(owner, name, ref, MANIFEST_PAGE, cursor);
    files.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return files;
}

function packRecord(hash: string, source: BlobSource): Blob {
  const header = new Uint8Array(RECORD_HEADER);
  for (let i = 0; i < 32; i += 1) header[i] = parseInt(hash.slice(2 * i, 2 * i + 2), 16);
  new DataView(header.buffer).setBigUint64(32, BigInt(source.size));
  return new Blob([header, source.file.slice(source.offset, source.offset + source.size)]);
}

type Batch = { hashes: string[]; bytes: number };

/** Groups the missing blobs into packs of at most PACK_BYTES; a larger blob is a batch of its own. */
function batches(missing: string[], sources: Map<string, BlobSource>): Batch[] {
  const result: Batch[] = [];
  let current: Batch = { hashes: [], bytes: 0 };
  for (const hash of missing) {
    const size = RECORD_HEADER + (sources.get(hash)?.size ?? 0);
    if (current.hashes.length && current.bytes + size > PACK_BYTES) {
      result.push(current);
      current = { hashes: [], bytes: 0 };
    }
    current.hashes.push(hash);
    current.bytes += size;
  }
  if (current.hashes.length) result.push(current);
  return result;
}

async function uploadMissing(request: PushRequest, missing: string[], sources: Map<string, BlobSource>) {
  const unknown = missing.filter((hash) => !sources.has(hash));
  if (unknown.length) {
    throw new Error(
      `${unknown.length} blobs of files kept from ${request.latest ?? 'the latest version'} are missing on the server ` +
        `(e.g. ${unknown[0]}): ask an administrator to run a verify, or upload those files again.`,
    );
  }
  const source = (hash: string) => sources.get(hash) as BlobSource;
  const bytesTotal = missing.reduce((sum, hash) => sum + source(hash).size, 0);
  const progress: Progress = { phase: 'uploading', done: 0, total: missing.length, bytes: 0, bytesTotal };
  const report = throttle(request.onProgress);
  report(progress, true);
  for (const batch of batches(missing, sources)) {
    const [only] = batch.hashes;
    if (only !== undefined && batch.bytes > PACK_BYTES) {
      const { file, offset, size } = source(only);
      await putBlob(request.owner, request.name, only, file.slice(offset, offset + size));
    } else {
      await uploadPack(request.owner, request.name, new Blob(batch.hashes.map((hash) => packRecord(hash, source(hash)))));
    }
    progress.done += batch.hashes.length;
    progress.bytes += batch.hashes.reduce((sum, hash) => sum + source(hash).size, 0);
    report(progress, progress.done === missing.length);
  }
}

interface StorageRefusal {
  used: number;
  new: number;
  limit: number;
}

function isStorageRefusal(details: unknown): details is StorageRefusal {
  const d = details as Partial<StorageRefusal> | null;
  return typeof d?.used === 'number' && typeof d.new === 'number' && typeof d.limit === 'number';
}

/** Plans the push; a refusal for lack of storage is told in human units. */
async function plan(owner: string, name: string, version: VersionCreate) {
  try {
    return await planVersion(owner, name, version);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'quota_exceeded' && isStorageRefusal(error.details)) {
      const { used, limit } = error.details;
      throw new Error(
        `Not enough storage: this version adds ${formatBytes(error.details.new)} and the group already uses ` +
          `${formatBytes(used)} of its ${formatBytes(limit)}. Nothing was uploaded. Delete old versions or ask a ` +
          'platform admin for more.',
      );
    }
    throw error;
  }
}

/** Runs a whole push: hash, plan (which refuses a version over quota), upload, commit. */
export async function pushVersion(request: PushRequest): Promise<Version> {
  const { owner, name, latest } = request;
  const { entries, sources } = await hashAll(request.files, request.onProgress);
  request.onProgress({ phase: 'planning', done: 0, total: 0, bytes: 0, bytesTotal: 0 });
  const manifest = new Map<string, FileEntry>();
  if (request.startFromLatest && latest) {
    for (const entry of await manifestOf(owner, name, latest)) manifest.set(entry.path, entry);
  }
  for (const entry of entries) manifest.set(entry.path, entry);
  const version: VersionCreate = {
    message: request.message,
    files: [...manifest.values()],
    ...(latest ? { parent: latest } : {}),
  };
  const { missing } = await plan(owner, name, version);
  await uploadMissing(request, missing, sources);
  request.onProgress({ phase: 'committing', done: 0, total: 0, bytes: 0, bytesTotal: 0 });
  try {
    return await createVersion(owner, name, version);
  } catch (error) {
    const details = error instanceof ApiError && error.code === 'conflict' ? (error.details as { latest?: string } | null) : null;
    if (details?.latest) {
      throw new Error(
        `Someone else pushed meanwhile: the latest version is now ${details.latest}, not ${latest ?? 'none'}. ` +
          'The page shows it now; press Upload again to build on it (the files are uploaded already).',
      );
    }
    throw error;
  }
}
