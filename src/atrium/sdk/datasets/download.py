"""Downloading a version's missing files into a directory: parallel, verified, atomic.

Small blobs come in batches through ``POST /blobs/unpack``; larger ones stream with one ``GET``
each, and the chunks of a large file are fetched in parallel into one temporary file that is
checked against the whole file's hash before it takes its place.

A file that does not exist yet is created at its final name (a temp file + rename costs ~5x
more per small file on ext4); only a file replacing an existing one goes through
``.atrium/tmp/`` and a rename. So an interrupted pull can leave a partial *new* file: it is not
in the hash cache (written files are recorded only at the end), so the next pull or status
hashes it and finds it wrong, and the pull writes it again.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

from blake3 import blake3

from atrium.sdk.datasets import pack
from atrium.sdk.datasets.errors import LocalDataError
from atrium.sdk.datasets.hashcache import Record
from atrium.sdk.datasets.hashing import CHUNK_SIZE, hash_bytes
from atrium.sdk.datasets.models import FileEntry
from atrium.sdk.datasets.scan import META_DIR
from atrium.sdk.datasets.tracker import Tracker
from atrium.sdk.datasets.wire import Wire

UNPACK_MAX_BLOB = 4 * 1024 * 1024
UNPACK_TARGET = 16 * 1024 * 1024
UNPACK_MAX_HASHES = 10_000
TMP_DIR = "tmp"

Task = Callable[[], None]


def mismatch(what: str) -> LocalDataError:
    return LocalDataError(f"{what}: downloaded bytes do not match their hash", code="hash_mismatch")


class Writer:
    """Writes files through ``.atrium/tmp/`` and records (for the hash cache) what it wrote."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.tmp_dir = os.path.join(root, META_DIR, TMP_DIR)
        shutil.rmtree(self.tmp_dir, ignore_errors=True)  # leftovers of an interrupted pull
        os.makedirs(self.tmp_dir)
        self.records: list[Record] = []
        self._names = itertools.count()

    def tmp_path(self) -> str:
        return os.path.join(self.tmp_dir, f"{os.getpid()}-{next(self._names)}")

    def target(self, entry: FileEntry) -> str:
        return os.path.join(self.root, entry.path)

    def write(self, entry: FileEntry, data: bytes) -> None:
        fd, tmp = self.create(entry)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            st = os.fstat(fd)
        finally:
            os.close(fd)
        self.install(tmp, entry, st)

    def create(self, entry: FileEntry) -> tuple[int, str | None]:
        """A new file for ``entry``: at its final name (tmp None) unless something is there.

        O_EXCL never follows a symlink planted at the name: that case takes the temp file,
        whose rename replaces the link itself.
        """
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
        try:
            return os.open(self.target(entry), flags, entry.mode), None
        except FileExistsError:
            tmp = self.tmp_path()
            return os.open(tmp, flags, entry.mode), tmp
        except OSError as exc:
            raise self.cannot_write(entry, exc) from None

    def discard(self, entry: FileEntry, tmp: str | None) -> None:
        """Remove a file :meth:`create` made whose bytes turned out wrong."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp or self.target(entry))

    def install(self, tmp: str | None, entry: FileEntry, st: os.stat_result) -> None:
        """Record a finished file, renaming it into place first if it was written aside."""
        if tmp is not None:
            try:
                os.replace(tmp, self.target(entry))
            except OSError as exc:
                raise self.cannot_write(entry, exc) from None
        self.records.append((entry.path, st.st_size, st.st_mtime_ns, st.st_ino, entry.hash,
                             entry.chunks))  # fmt: skip

    def copy(self, source: FileEntry, entries: Sequence[FileEntry]) -> None:
        """Other files with the same content as an installed one."""
        for entry in entries:
            fd, tmp = self.create(entry)
            with open(fd, "wb") as out, open(self.target(source), "rb") as src:
                shutil.copyfileobj(src, out, 1024 * 1024)
                out.flush()
                st = os.fstat(fd)
            self.install(tmp, entry, st)

    @staticmethod
    def cannot_write(entry: FileEntry, exc: OSError) -> LocalDataError:
        return LocalDataError(
            f"{entry.path}: cannot write it ({exc.strerror})", code="write_failed"
        )


@dataclass
class Assembly:
    """A large file being put together from its chunks, fetched in parallel."""

    entries: list[FileEntry]  # all with this content; the first is written, the rest copied
    tmp: str
    remaining: int
    fd: int = -1
    lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self) -> int:
        """The temporary file, created by the first chunk to arrive (few are open at once)."""
        with self.lock:
            if self.fd < 0:
                entry = self.entries[0]
                self.fd = os.open(self.tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, entry.mode)
                os.ftruncate(self.fd, entry.size)
            return self.fd

    def chunk_done(self) -> bool:
        with self.lock:
            self.remaining -= 1
            return self.remaining == 0


@dataclass
class Downloader:
    wire: Wire
    base: str
    writer: Writer
    tracker: Tracker
    assemblies: list[Assembly] = field(default_factory=list)

    def run(self, todo: Sequence[FileEntry], workers: int) -> None:
        tasks = list(self.tasks(todo))
        try:
            with ThreadPoolExecutor(workers, "atrium-download") as pool:
                for _ in pool.map(lambda task: task(), tasks):
                    pass
        finally:
            for assembly in self.assemblies:
                _close_quietly(assembly.fd)

    def tasks(self, todo: Sequence[FileEntry]) -> Iterator[Task]:
        by_content: dict[str, list[FileEntry]] = {}
        for entry in todo:
            by_content.setdefault(entry.hash, []).append(entry)
        small = {h: es for h, es in by_content.items() if _is_small(es[0])}
        for group in by_content.values():
            if group[0].chunks:
                yield from self.chunk_tasks(group)
            elif not _is_small(group[0]):
                yield partial(self.fetch_blob, group)
        for batch in _batches(small):
            yield partial(self.fetch_pack, batch)

    def chunk_tasks(self, group: list[FileEntry]) -> Iterator[Task]:
        assembly = Assembly(group, self.writer.tmp_path(), len(group[0].blobs))
        self.assemblies.append(assembly)
        for index in range(assembly.remaining):
            yield partial(self.fetch_chunk, assembly, index)

    def fetch_pack(self, batch: dict[str, list[FileEntry]]) -> None:
        seen = 0
        body = {"hashes": list(batch)}
        with self.wire.stream("POST", f"{self.base}/blobs/unpack", json=body) as response:
            for digest, data in pack.decode(response.iter_bytes()):
                entries = batch.get(digest)
                if entries is None or hash_bytes(data) != digest:
                    raise mismatch(entries[0].path if entries else f"blob {digest}")
                for entry in entries:
                    self.writer.write(entry, data)
                seen += 1
                self.tracker.add(files=len(entries), size=len(data) * len(entries))
        if seen != len(batch):
            raise LocalDataError(
                f"the server sent {seen} of {len(batch)} blobs asked for", code="incomplete_pack"
            )

    def fetch_blob(self, group: list[FileEntry]) -> None:
        entry = group[0]
        fd, tmp = self.writer.create(entry)
        try:
            digest, size = self.stream_into(fd, entry.hash, 0)
            st = os.fstat(fd)
        except BaseException:
            self.writer.discard(entry, tmp)
            raise
        finally:
            os.close(fd)
        if digest != entry.hash or size != entry.size:
            self.writer.discard(entry, tmp)
            raise mismatch(entry.path)
        self.writer.install(tmp, entry, st)
        self.writer.copy(entry, group[1:])
        self.tracker.add(files=len(group), size=entry.size * (len(group) - 1))

    def fetch_chunk(self, assembly: Assembly, index: int) -> None:
        entry = assembly.entries[0]
        expected = entry.blobs[index]
        digest, size = self.stream_into(assembly.open(), expected, index * CHUNK_SIZE)
        if digest != expected or size != min(CHUNK_SIZE, entry.size - index * CHUNK_SIZE):
            raise mismatch(f"{entry.path} (chunk {index})")
        if assembly.chunk_done():
            self.finish(assembly)

    def finish(self, assembly: Assembly) -> None:
        entry = assembly.entries[0]
        st = os.fstat(assembly.fd)
        os.close(assembly.fd)
        assembly.fd = -1
        whole = blake3(max_threads=blake3.AUTO).update_mmap(assembly.tmp).hexdigest()
        if whole != entry.hash:
            raise mismatch(entry.path)
        self.writer.install(assembly.tmp, entry, st)
        self.writer.copy(entry, assembly.entries[1:])
        self.tracker.add(files=len(assembly.entries), size=entry.size * (len(assembly.entries) - 1))

    def stream_into(self, fd: int, digest: str, offset: int) -> tuple[str, int]:
        """GET one blob into ``fd`` at ``offset``; return the hash and size of what came."""
        hasher, size = blake3(), 0
        with self.wire.stream("GET", f"{self.base}/blobs/{digest}") as response:
            for piece in response.iter_bytes():
                hasher.update(piece)
                _pwrite_all(fd, piece, offset + size)
                size += len(piece)
                self.tracker.add(size=len(piece))
        return hasher.hexdigest(), size


def _pwrite_all(fd: int, data: bytes, at: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, at)
        view, at = view[written:], at + written


def _is_small(entry: FileEntry) -> bool:
    return entry.chunks is None and entry.size <= UNPACK_MAX_BLOB


def _batches(small: dict[str, list[FileEntry]]) -> Iterator[dict[str, list[FileEntry]]]:
    """Groups of small blobs, each at most UNPACK_TARGET bytes and UNPACK_MAX_HASHES blobs."""
    batch: dict[str, list[FileEntry]] = {}
    size = 0
    for digest, entries in small.items():
        if batch and (size + entries[0].size > UNPACK_TARGET or len(batch) >= UNPACK_MAX_HASHES):
            yield batch
            batch, size = {}, 0
        batch[digest] = entries
        size += entries[0].size + pack.HEADER
    if batch:
        yield batch


def _close_quietly(fd: int) -> None:
    if fd >= 0:
        with contextlib.suppress(OSError):
            os.close(fd)
