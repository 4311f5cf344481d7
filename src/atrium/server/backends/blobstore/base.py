"""The blob store protocol, its errors, and BLAKE3 key helpers shared by every backend.

A blob is an immutable byte string stored under the lowercase hex BLAKE3-256 of its bytes
(see docs/datasets.md). Backends never touch the database: they only know keys and bytes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, Protocol, TypeGuard, runtime_checkable

import blake3

KEY_LENGTH = 64
#: Blobs are dataset chunks of at most 64 MiB (docs/datasets.md); bigger input is refused so a
#: client can never make a backend buffer without bound (S3 buffers a whole blob in memory).
MAX_BLOB_SIZE = 64 * 1024 * 1024
#: Reads stream in chunks of this size: big enough for syscall/HTTP overhead to vanish, small
#: enough to keep a 64 MiB blob out of memory.
READ_CHUNK = 1024 * 1024
#: Below this many bytes, a multi-threaded BLAKE3 hasher only adds thread hand-off cost.
_THREADED_MIN = 1024 * 1024
_KEY_RE = re.compile(r"[0-9a-f]{64}")
Buffer = bytes | bytearray | memoryview


class BlobStoreError(Exception):
    """Base class of every blob store error."""


class InvalidKey(BlobStoreError, ValueError):
    """The key is not 64 lowercase hex characters (keys come from the network: never trust)."""

    def __init__(self, key: object) -> None:
        super().__init__(f"invalid blob key {key!r}: expected 64 lowercase hex characters")
        self.key = key


class BlobNotFound(BlobStoreError, KeyError):
    """No blob is stored under this key."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key

    def __str__(self) -> str:
        return f"blob {self.key} not found"


class BlobCorrupt(BlobStoreError):
    """Bytes do not hash to their key: refused on write, detected (and quarantined) on read."""

    def __init__(self, key: str, actual: str) -> None:
        super().__init__(f"blob {key}: content hashes to {actual}")
        self.key = key
        self.actual = actual


class BlobTooLarge(BlobStoreError, ValueError):
    """The input exceeds the store's maximum blob size; nothing was stored."""

    def __init__(self, key: str, limit: int) -> None:
        super().__init__(f"blob {key}: larger than the {limit}-byte limit; split it into chunks")
        self.key = key
        self.limit = limit


def is_key(key: object) -> TypeGuard[str]:
    """True if ``key`` is a well-formed blob key: 64 lowercase hex characters."""
    return isinstance(key, str) and _KEY_RE.fullmatch(key) is not None


def check_key(key: object) -> str:
    """Return ``key`` if it is a well-formed blob key, else raise :class:`InvalidKey`."""
    if not is_key(key):
        raise InvalidKey(key)
    return key


class Hasher:
    """Streaming BLAKE3 that also counts bytes; multi-threaded for large updates."""

    def __init__(self) -> None:
        # One AUTO hasher: blake3 fans an update out to threads only when it is large, so the
        # 1 MiB updates of a streamed upload use both cores and 4 KiB ones cost nothing extra.
        self._hash = blake3.blake3(max_threads=blake3.blake3.AUTO)
        self.size = 0

    def update(self, data: Buffer) -> None:
        self._hash.update(data)
        self.size += len(data)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def hash_bytes(data: Buffer) -> str:
    """BLAKE3 hex key of ``data`` (multi-threaded when large)."""
    threads = blake3.blake3.AUTO if len(data) >= _THREADED_MIN else 1
    return blake3.blake3(data, max_threads=threads).hexdigest()


def hash_file(f: BinaryIO) -> str:
    """BLAKE3 hex key of an open file's bytes (memory-mapped and multi-threaded when large)."""
    if os.fstat(f.fileno()).st_size < _THREADED_MIN:
        return hash_bytes(f.read())
    hasher = blake3.blake3(max_threads=blake3.blake3.AUTO)
    hasher.update_mmap(f.name)
    return hasher.hexdigest()


EMPTY_KEY = hash_bytes(b"")


@runtime_checkable
class BlobStore(Protocol):
    """Content-addressed, immutable blob storage. Every method validates its keys.

    Writes are atomic and verified: a blob is visible only once all its bytes are stored and
    hash to its key. Reads verify too and raise :class:`BlobCorrupt` on a mismatch.
    """

    def has(self, key: str) -> bool: ...

    def missing(self, keys: Iterable[str]) -> set[str]:
        """The subset of ``keys`` not stored (batched: fast for tens of thousands)."""
        ...

    def put(self, key: str, chunks: Iterable[Buffer]) -> int:
        """Store the streamed bytes under ``key``; return the blob's size.

        Raises BlobCorrupt (nothing stored) if the bytes do not hash to ``key``. If the key is
        already stored, the stored blob is left as it is (a backend may then return its size
        without reading ``chunks``: the local one does, S3 learns it only at upload time).
        """
        ...

    def put_bytes(self, key: str, data: bytes) -> int: ...

    def put_many(self, blobs: Iterable[tuple[str, Buffer]]) -> list[BlobCorrupt]:
        """Store many (key, bytes) blobs, each verified like :meth:`put`.

        Blobs whose bytes do not hash to their key are not stored and are returned; the others
        are. Raises InvalidKey or BlobTooLarge before storing anything. The local store writes
        the small ones as one pack, visible all at once.
        """
        ...

    def get_bytes(self, key: str) -> bytes: ...

    def get_many(self, keys: Sequence[str]) -> Iterator[tuple[str, bytes]]:
        """``(key, bytes)`` of each of ``keys``, in order, each verified like :meth:`get_bytes`.

        Raises BlobNotFound (or BlobCorrupt) when it reaches a key that is absent (or damaged).
        The local store looks up all the packed ones at once and reads each pack through one
        open file: a pull of 20,000 small files asks for them in a few calls.
        """
        ...

    def open(self, key: str) -> Iterator[bytes]:
        """Stream the blob in ~1 MiB chunks.

        BlobNotFound is raised by the call itself (so an HTTP handler can answer 404 before it
        starts a response); BlobCorrupt is raised after the last chunk if the bytes are wrong.
        """
        ...

    def size(self, key: str) -> int | None: ...

    def delete(self, key: str) -> None:
        """Remove the blob; deleting a missing blob is not an error."""
        ...

    def iter_keys(self) -> Iterator[str]:
        """Every stored key, in no particular order (for garbage collection)."""
        ...

    def stat_mtime(self, key: str) -> float | None:
        """POSIX time the blob was written, or None if missing."""
        ...

    def materialize(self, key: str, dest: Path) -> None:
        """Write the blob to ``dest`` (replacing it) as a read-only file with verified bytes."""
        ...
