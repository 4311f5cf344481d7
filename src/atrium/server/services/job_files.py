"""An attempt's directory on the server, and moving its log and artifacts into the blob store.

Layout of ``<jobs root>/<job id>-<attempt>/``: ``work/`` (the command's cwd base), ``data/<NAME>``
(read-only inputs), ``artifacts/`` (``$ATRIUM_ARTIFACTS_DIR``) and ``output.log``. The directory
goes once the attempt's outputs are in the blob store, so any replica can serve them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from atrium.server.backends.blobstore import BlobStore, BlobStoreError, Hasher, hash_bytes
from atrium.server.backends.executors import Executor, ExecutorError
from atrium.server.domain.errors import NotFound

#: Logs and artifacts are cut into blobs of this size (the store refuses more than 64 MiB).
CHUNK = 16 * 2**20
READ_PIECE = 2**20
MAX_ARTIFACTS = 10_000
MAX_PATH = 1024


@dataclass(frozen=True)
class Workspace:
    root: Path

    @classmethod
    def of(cls, jobs_root: Path, job_id: int, attempt: int) -> Workspace:
        return cls(jobs_root / f"{job_id}-{attempt}")

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def artifacts(self) -> Path:
        return self.root / "artifacts"

    @property
    def log(self) -> Path:
        return self.root / "output.log"

    def create(self) -> None:
        """``data/`` comes with the first input (mkdir is slow on some filesystems)."""
        for path in (self.work, self.artifacts):
            path.mkdir(parents=True, exist_ok=True)

    def remove(self) -> None:
        """Inputs are read-only (and the job may have made more so): make writable, delete."""
        if not self.root.exists():
            return
        for dirpath, dirnames, _ in os.walk(self.root):
            for name in dirnames:
                with contextlib.suppress(OSError):
                    os.chmod(os.path.join(dirpath, name), 0o700, follow_symlinks=False)
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class Stored:
    """Bytes now in the blob store: the whole hash, the chunk keys if cut, every blob's size."""

    size: int
    hash: str
    chunks: list[str] | None
    blobs: dict[str, int]


@dataclass
class Outputs:
    log: Stored
    artifacts: dict[str, Stored] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def blobs(self) -> dict[str, int]:
        found = dict(self.log.blobs)
        for item in self.artifacts.values():
            found.update(item.blobs)
        return found

    def artifact_blobs(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for item in self.artifacts.values():
            found.update(item.blobs)
        return found


def store_stream(blobs: BlobStore, pieces: Iterable[bytes]) -> Stored:
    """Cut a byte stream into CHUNK-sized blobs, keeping no more than one chunk in memory."""
    whole, keys, sizes = Hasher(), [], {}
    buffer = bytearray()
    for piece in pieces:
        whole.update(piece)
        buffer += piece
        while len(buffer) >= CHUNK:
            key = _put(blobs, bytes(buffer[:CHUNK]))
            keys.append(key)
            sizes[key] = CHUNK
            del buffer[:CHUNK]
    if buffer or not keys:
        key = _put(blobs, bytes(buffer))
        keys.append(key)
        sizes[key] = len(buffer)
    digest = whole.hexdigest()
    return Stored(whole.size, digest, None if len(keys) == 1 else keys, sizes)


def _put(blobs: BlobStore, data: bytes) -> str:
    key = hash_bytes(data)
    blobs.put_bytes(key, data)
    return key


def read_blobs(blobs: BlobStore, keys: Iterable[str]) -> Iterator[bytes]:
    for key in keys:
        yield from blobs.open(key)


def open_stored(
    blobs: BlobStore, size: int, keys: list[str], what: str
) -> tuple[int, Iterator[bytes]]:
    """(size, byte stream) of a file stored as ``keys``, checked up front: a stream must not
    die half-way through a download because a blob went missing."""
    absent = blobs.missing(keys)
    if absent:
        raise NotFound(f"{what} lost its blob {min(absent)}: upload it again")
    return size, read_blobs(blobs, keys)


def file_pieces(path: Path) -> Iterator[bytes]:
    """A regular file's bytes, never following a symlink a job may have swapped in."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        while piece := f.read(READ_PIECE):
            yield piece


def artifact_files(root: Path) -> tuple[list[tuple[str, Path]], list[str]]:
    """Regular files under ``root`` (relative POSIX path, path), and what was left out and why.

    Symlinks, devices and pipes are skipped: a job must not turn a link to a server file into
    an artifact anyone in the group can download.
    """
    found: list[tuple[str, Path]] = []
    skipped: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath, name)
            rel = path.relative_to(root).as_posix()
            if not stat.S_ISREG(os.lstat(path).st_mode) or len(rel) > MAX_PATH:
                skipped.append(rel[:200])
                continue
            if len(found) >= MAX_ARTIFACTS:
                return found, [*skipped, f"more than {MAX_ARTIFACTS} files"]
            found.append((rel, path))
    return found, skipped


def collect(
    executor: Executor, blobs: BlobStore, handle: str | None, ws: Workspace, room: int | None
) -> Outputs:
    """Put the attempt's log and artifacts in the blob store. ``room`` is the group's free
    storage (None: no limit): artifacts that cannot fit are not even uploaded, so a job that
    fills its artifacts directory cannot fill the blob store too."""
    notes = []
    try:
        log = store_stream(blobs, _log_pieces(executor, handle, ws))
    except (ExecutorError, OSError, BlobStoreError) as exc:
        notes.append(f"log lost: {exc}")
        log = store_stream(blobs, [])
    outputs = Outputs(log=log, notes=notes)
    if not ws.artifacts.is_dir():
        return outputs
    files, skipped = artifact_files(ws.artifacts)
    total = sum(path.lstat().st_size for _, path in files)
    if room is not None and total > room:
        notes.append(
            f"artifacts not kept: {total} bytes, the group has {room} bytes of storage left"
        )
        return outputs
    for rel, path in files:
        try:
            outputs.artifacts[rel] = store_stream(blobs, file_pieces(path))
        except (OSError, BlobStoreError) as exc:
            skipped.append(f"{rel} ({exc})")
    if skipped:
        notes.append(f"artifacts skipped: {', '.join(skipped[:5])}")
    return outputs


def _log_pieces(executor: Executor, handle: str | None, ws: Workspace) -> Iterator[bytes]:
    """The executor's log; the log file itself when the executor no longer knows the handle."""
    try:
        piece = executor.read_log(handle, 0, READ_PIECE) if handle else None
    except ExecutorError:
        piece = None
    if handle is None or piece is None:
        if ws.log.exists():
            yield from file_pieces(ws.log)
        return
    offset = 0
    while piece:
        yield piece
        offset += len(piece)
        piece = executor.read_log(handle, offset, READ_PIECE)
