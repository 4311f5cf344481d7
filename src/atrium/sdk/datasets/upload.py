"""Uploading the blobs a version needs: only those the server lacks, in parallel.

Blobs up to :data:`PACK_MAX_BLOB` travel in packs of about :data:`PACK_TARGET` bytes (20,000
small files are a handful of requests); larger blobs, and the 64 MiB chunks of large files,
are streamed from their file with one ``PUT`` each. Every request is complete in itself, so an
interrupted push that is run again uploads only what the server still lacks.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from atrium.sdk.datasets import pack
from atrium.sdk.datasets.hashing import CHUNK_SIZE, file_changed, hash_bytes
from atrium.sdk.datasets.models import FileEntry
from atrium.sdk.datasets.scan import LocalFile
from atrium.sdk.datasets.tracker import FileCounter, ProgressCallback, Tracker
from atrium.sdk.datasets.wire import Wire
from atrium.sdk.errors import AtriumError

PACK_MAX_BLOB = 4 * 1024 * 1024
PACK_TARGET = 16 * 1024 * 1024
PIECE = 1024 * 1024
HASH_MISMATCH = "hash_mismatch"  # the server's code for bytes that do not match their key


@dataclass(frozen=True, slots=True)
class BlobSource:
    """Where a blob's bytes are: a whole small file, or one chunk of a large one."""

    digest: str
    abspath: str
    offset: int
    size: int
    name: str  # the file's manifest path, for messages
    mtime_ns: int  # when it was hashed: a file modified since is refused


@dataclass(frozen=True)
class UploadStats:
    blobs: int
    bytes: int


def blob_sources(
    missing: set[str], entries: Sequence[FileEntry], files: Sequence[LocalFile]
) -> tuple[dict[str, BlobSource], dict[str, list[int]]]:
    """Each missing blob once, with where to read it, and which files (by index) use it."""
    sources: dict[str, BlobSource] = {}
    users: dict[str, list[int]] = {}
    for index, entry in enumerate(entries):
        if entry.chunks is None and entry.hash not in missing:
            continue  # the common case when pushing again: nothing to do for this file
        for n, digest in enumerate(entry.blobs):
            if digest not in missing:
                continue
            if digest not in sources:
                offset = n * CHUNK_SIZE
                size = min(CHUNK_SIZE, entry.size - offset) if entry.chunks else entry.size
                local = files[index]
                sources[digest] = BlobSource(
                    digest, local.abspath, offset, size, entry.path, local.mtime_ns
                )
            users.setdefault(digest, []).append(index)
    return sources, users


def plan(missing: Sequence[str], sources: dict[str, BlobSource]) -> list[list[BlobSource]]:
    """Upload tasks: one list per request, single large blobs first (they take longest)."""
    singles: list[list[BlobSource]] = []
    packs: list[list[BlobSource]] = []
    current: list[BlobSource] = []
    current_bytes = 0
    for digest in missing:
        blob = sources[digest]
        if blob.size > PACK_MAX_BLOB:
            singles.append([blob])
            continue
        if current and current_bytes + blob.size + pack.HEADER > PACK_TARGET:
            packs.append(current)
            current, current_bytes = [], 0
        current.append(blob)
        current_bytes += blob.size + pack.HEADER
    if current:
        packs.append(current)
    singles.sort(key=lambda task: -task[0].size)
    return singles + packs


@dataclass
class Uploader:
    wire: Wire
    base: str
    kept: dict[str, bytes]
    tracker: Tracker
    counter: FileCounter

    def run(self, tasks: list[list[BlobSource]], workers: int) -> None:
        with ThreadPoolExecutor(workers, "atrium-upload") as pool:
            for _ in pool.map(self.send, tasks):
                pass

    def send(self, task: list[BlobSource]) -> None:
        if len(task) == 1 and task[0].size > PACK_MAX_BLOB:
            self.put(task[0])
        else:
            self.post_pack(task)
        self.tracker.add(files=self.counter.finish(b.digest for b in task))

    def post_pack(self, blobs: list[BlobSource]) -> None:
        pieces = pack.pieces((b.digest, self.kept.get(b.digest) or read_blob(b)) for b in blobs)
        size = sum(len(piece) for piece in pieces)
        path = f"{self.base}/blobs/pack"
        try:
            self.wire.send("POST", path, lambda: pieces, size, pack.MEDIA_TYPE)
        except AtriumError as exc:
            if exc.code == HASH_MISMATCH:
                _name_the_changed_file(blobs)
            raise
        self.tracker.add(size=sum(b.size for b in blobs))

    def put(self, blob: BlobSource) -> None:
        sent = [0]  # bytes reported by the current attempt, taken back if it is retried

        def body() -> Iterator[bytes]:
            self.tracker.add(size=-sent[0])
            sent[0] = 0
            for piece in read_pieces(blob):
                sent[0] += len(piece)
                self.tracker.add(size=len(piece))
                yield piece

        path = f"{self.base}/blobs/{blob.digest}"
        self.wire.send("PUT", path, body, blob.size, "application/octet-stream")


def upload(
    wire: Wire,
    base: str,
    missing: Sequence[str],
    local: tuple[Sequence[FileEntry], Sequence[LocalFile]],
    kept: dict[str, bytes],
    workers: int,
    progress: ProgressCallback | None,
) -> UploadStats:
    """Send the missing blobs of the ``local`` files (their entries, and where they are);
    files in progress reports are those using a missing blob."""
    sources, users = blob_sources(set(missing), *local)
    counter = FileCounter(users)
    size = sum(sources[d].size for d in missing)
    tracker = Tracker("upload", counter.files, size, progress)
    Uploader(wire, base, kept, tracker, counter).run(plan(missing, sources), workers)
    return UploadStats(len(missing), size)


def read_blob(blob: BlobSource) -> bytes:
    """A small blob's bytes, read again from a file unchanged since it was hashed.

    Not hashed again (a fifth of a first push's client time): the server verifies every blob
    and refuses bytes that do not match, and a changed file shows in its size or mtime here.
    """
    data, mtime_ns = _pread(blob)
    if len(data) != blob.size or mtime_ns != blob.mtime_ns:
        raise file_changed(blob.name)
    return data


def _name_the_changed_file(blobs: list[BlobSource]) -> None:
    """Raise file_changed for the first blob whose file no longer hashes as it did."""
    for blob in blobs:
        if hash_bytes(_pread(blob)[0]) != blob.digest:
            raise file_changed(blob.name)


def _pread(blob: BlobSource) -> tuple[bytes, int]:
    """The blob's bytes as its file holds them now, and the file's mtime."""
    try:
        fd = os.open(blob.abspath, os.O_RDONLY)
    except FileNotFoundError:
        raise file_changed(blob.name) from None
    try:
        return os.pread(fd, blob.size, blob.offset), os.fstat(fd).st_mtime_ns
    finally:
        os.close(fd)


def read_pieces(blob: BlobSource) -> Iterator[bytes]:
    """A large blob's bytes, streamed from its file in 1 MiB pieces."""
    try:
        handle = open(blob.abspath, "rb", buffering=0)  # noqa: SIM115  (closed below)
    except FileNotFoundError:
        raise file_changed(blob.name) from None
    with handle:
        handle.seek(blob.offset)
        remaining = blob.size
        while remaining:
            piece = handle.read(min(PIECE, remaining))
            if not piece:
                raise file_changed(blob.name)
            remaining -= len(piece)
            yield piece
