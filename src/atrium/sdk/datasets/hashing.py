"""Parallel BLAKE3 of many files, consulting and filling the hash cache.

Small files are read whole with ``os.read`` (their bytes can be kept for the upload, so a first
push reads them once) and hashed in batches of a few hundred per task, which keeps the
thread pool's per-task overhead off the per-file path. Larger files are hashed with
``update_mmap``; files above :data:`CHUNK_SIZE` are hashed whole and chunk by chunk in one pass
over the mapping, with BLAKE3's own threads. ``blake3`` releases the GIL while hashing.
"""

from __future__ import annotations

import json
import mmap
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from blake3 import blake3

from atrium.sdk.datasets.errors import LocalDataError
from atrium.sdk.datasets.hashcache import HashCache
from atrium.sdk.datasets.models import FileEntry
from atrium.sdk.datasets.scan import LocalFile

CHUNK_SIZE = 64 * 1024 * 1024
READ_MAX = 1024 * 1024  # files up to this size are read whole; larger ones are mapped
THREADED_MIN = 16 * 1024 * 1024  # from this size a file is hashed by several threads
BATCH_FILES = 256
BATCH_BYTES = 16 * 1024 * 1024

Digest = tuple[str, tuple[str, ...] | None, bytes | None]  # hash, chunks, kept bytes
HashProgress = Callable[[int, int, int, int], None]  # files done, of, bytes done, of


def default_workers() -> int:
    return min(8, 2 * (os.cpu_count() or 1))


@dataclass
class Hashed:
    """The manifest entries of the files, in their order, and the bytes kept for upload."""

    entries: list[FileEntry]
    kept: dict[str, bytes] = field(default_factory=dict)
    files_read: int = 0
    bytes_read: int = 0


def hash_files(
    files: Sequence[LocalFile],
    cache: HashCache | None,
    *,
    keep_budget: int = 0,
    workers: int | None = None,
    progress: HashProgress | None = None,
) -> Hashed:
    """Hash ``files``, reading only those the cache does not vouch for.

    Up to ``keep_budget`` bytes of small files' contents are returned in ``kept`` (by hash).
    """
    known, todo = lookup(files, cache)
    entries = [
        FileEntry(f.path, f.size, k[0], f.mode, k[1]) if k is not None else None
        for f, k in zip(files, known, strict=True)
    ]
    result = Hashed(entries=[])
    if todo:
        started = time.time_ns()
        reading = [files[i] for i in todo]
        digests = _hash_all(reading, keep_budget, workers, progress)
        for i, f, (digest, chunks, data) in zip(todo, reading, digests, strict=True):
            entries[i] = FileEntry(f.path, f.size, digest, f.mode, chunks)
            if data is not None:
                result.kept[digest] = data
            if cache is not None:
                cache.put(
                    (f.path, f.size, f.mtime_ns, f.inode, digest, chunks), hashed_at_ns=started
                )
        result.files_read = len(todo)
        result.bytes_read = sum(f.size for f in reading)
    result.entries = entries  # type: ignore[assignment]  # every slot is filled now
    return result


Known = tuple[str, tuple[str, ...] | None]


def lookup(
    files: Sequence[LocalFile], cache: HashCache | None
) -> tuple[list[Known | None], list[int]]:
    """The cached (hash, chunks) of each file, or None; and the indexes of those to hash."""
    if cache is None:
        return [None] * len(files), list(range(len(files)))
    rows = cache.rows
    known: list[Known | None] = []
    todo: list[int] = []
    for i, f in enumerate(files):
        row = rows.get(f.path)
        if row is not None and row[0] == f.size and row[1] == f.mtime_ns and row[2] == f.inode:
            known.append((row[3], tuple(json.loads(row[4])) if row[4] else None))
        else:
            known.append(None)
            todo.append(i)
    return known, todo


def _hash_all(
    files: list[LocalFile], keep_budget: int, workers: int | None, progress: HashProgress | None
) -> list[Digest]:
    """The digests of ``files``, in their order (the work is batched in another order)."""
    batches = list(_batches(files, keep_budget))
    out: list[Digest | None] = [None] * len(files)
    done_files = done_bytes = 0
    total_bytes = sum(f.size for f in files)
    if progress is not None:
        progress(0, len(files), 0, total_bytes)
    with ThreadPoolExecutor(workers or default_workers(), "atrium-hash") as pool:
        for batch, digests in zip(batches, pool.map(_hash_batch, batches), strict=True):
            for (index, f, _), digest in zip(batch, digests, strict=True):
                out[index] = digest
                done_bytes += f.size
            done_files += len(batch)
            if progress is not None:
                progress(done_files, len(files), done_bytes, total_bytes)
    return out  # type: ignore[return-value]  # every slot is filled now


Batch = list[tuple[int, LocalFile, bool]]  # (index in the input, file, keep its bytes)


def _batches(files: list[LocalFile], keep_budget: int) -> Iterator[Batch]:
    """Small files in groups (by count and bytes); every larger file on its own."""
    batch: Batch = []
    batch_bytes = 0
    for index, f in enumerate(files):
        if f.size > READ_MAX:
            yield [(index, f, False)]
            continue
        keep = f.size <= keep_budget
        keep_budget -= f.size if keep else 0
        batch.append((index, f, keep))
        batch_bytes += f.size
        if len(batch) >= BATCH_FILES or batch_bytes >= BATCH_BYTES:
            yield batch
            batch, batch_bytes = [], 0
    if batch:
        yield batch


def _hash_batch(batch: Batch) -> list[Digest]:
    out = []
    for _, f, keep in batch:
        try:
            out.append(_hash_one(f, keep))
        except FileNotFoundError:
            raise file_changed(f.path) from None
        except OSError as exc:
            message = f"{f.path}: cannot read it ({exc.strerror})"
            raise LocalDataError(message, code="unreadable") from None
    return out


def _hash_one(f: LocalFile, keep: bool) -> Digest:
    if f.size <= READ_MAX:
        data = read_small(f.abspath, f.size, f.path)
        return blake3(data).hexdigest(), None, data if keep else None
    if f.size <= CHUNK_SIZE:
        # Files hash in parallel already; BLAKE3's own threads pay off only on big ones (1 GiB
        # as 1,000 files: 0.18 s with one thread per file, 0.26-0.32 s with AUTO).
        threads = blake3.AUTO if f.size >= THREADED_MIN else 1
        digest = blake3(max_threads=threads).update_mmap(f.abspath).hexdigest()
        _check_unchanged(f)
        return digest, None, None
    digest, chunks = hash_chunked(f.abspath, f.size, f.path)
    _check_unchanged(f)
    return digest, chunks, None


def read_small(path: str, size: int, name: str) -> bytes:
    """The whole file, checking that it still has the size it was scanned with.

    Asking for one byte more than expected shows a file that grew; a read that returns exactly
    the expected size is taken as complete (a regular file's read stops short only at its end),
    which saves a second read per file: 20,000 system calls in a push of 20,000 small files.
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        data = os.read(fd, size + 1)
        while len(data) < size:  # a short read is legal (e.g. a signal); keep going until EOF
            more = os.read(fd, size + 1 - len(data))
            if not more:
                break
            data += more
    finally:
        os.close(fd)
    if len(data) != size:
        raise file_changed(name)
    return data


def hash_chunked(path: str, size: int, name: str) -> tuple[str, tuple[str, ...]]:
    """BLAKE3 of a large file and of each of its CHUNK_SIZE chunks, in one pass."""
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as m:
        if len(m) != size:
            raise file_changed(name)
        whole, chunks = blake3(max_threads=blake3.AUTO), []
        view = memoryview(m)
        try:
            for offset in range(0, size, CHUNK_SIZE):
                part = view[offset : offset + CHUNK_SIZE]
                whole.update(part)
                chunks.append(blake3(part, max_threads=blake3.AUTO).hexdigest())
                part.release()
        finally:
            view.release()
    return whole.hexdigest(), tuple(chunks)


def _check_unchanged(f: LocalFile) -> None:
    st = os.stat(f.abspath)
    if st.st_size != f.size or st.st_mtime_ns != f.mtime_ns:
        raise file_changed(f.path)


def file_changed(name: str) -> LocalDataError:
    return LocalDataError(f"{name}: file changed while it was read; run again", code="file_changed")


def hash_bytes(data: bytes | memoryview) -> str:
    return blake3(data).hexdigest()
