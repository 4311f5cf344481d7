"""Blob store in a local directory: small blobs in packs, the others as ``root/ab/cd/<key>``.

``put_many`` (the server's pack uploads) stores blobs of up to ``pack_max_blob`` bytes in pack
files with a SQLite index (see ``_packs``); single ``put`` calls and larger blobs become one
read-only file each, published by an atomic rename. Every read consults the index first.

Durability policy of loose files (measured on this project's 2-core ext4 VM, see
docs/blobstore.md; packs are always fsynced before they are indexed):

* A blob is written to ``root/tmp/``, hashed while written, verified, made read-only and only
  then renamed into place with ``os.replace``. A reader never sees a partial or unverified blob,
  and a killed *process* loses nothing acknowledged: the bytes are in the page cache.
* A *machine* crash (power loss, kernel panic) is different: ext4's delayed allocation can
  commit the rename before the data, leaving a valid name over zero or partial bytes. Blobs of
  at least ``fsync_min_size`` bytes (default 1 MiB) are therefore fsynced before the rename;
  there the fsync adds ~0-30 % to the write. For small blobs it costs ~10x (600-800 files/s
  instead of 3,000-17,000 for 4 KiB files), so by default they are not fsynced and we rely on:
  a zero-length file under a non-empty key counts as missing (the usual delalloc failure, so
  the client re-uploads it), and every read verifies the hash and quarantines a bad file (so
  damage is detected, never served). ``fsync_min_size=0`` fsyncs everything.
* Directories are not fsynced: a rename lost in a crash makes the blob absent, not corrupt,
  and ``missing()`` then asks the client for it again.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from atrium.server.backends.blobstore import _files, _packs
from atrium.server.backends.blobstore._packs import Packed, PackIndex
from atrium.server.backends.blobstore.base import (
    EMPTY_KEY,
    MAX_BLOB_SIZE,
    READ_CHUNK,
    BlobCorrupt,
    BlobNotFound,
    BlobTooLarge,
    Buffer,
    Hasher,
    check_key,
    hash_bytes,
    hash_file,
    is_key,
)

FSYNC_MIN_SIZE = 1024 * 1024
#: ``put_many`` packs blobs up to this size (the client's pack limit); larger ones are files of
#: their own, which ``materialize`` hard-links. Packing 1 MiB blobs too saves a file, a rename
#: and an fsync each: the fsyncs alone were the largest server cost of a 1 GiB push.
PACK_MAX_BLOB = 4 * 1024 * 1024
#: Packs smaller than this are not worth rewriting when mostly dead.
COMPACT_MIN_SIZE = 1024 * 1024
#: Temp files older than this are leftovers of a killed process (an upload of <= 64 MiB does
#: not take an hour), so opening the store removes them; younger ones may be another
#: process's upload in progress. Unindexed pack files are treated the same way.
STALE_TMP_SECONDS = 3600.0
_HEX = frozenset("0123456789abcdef")


class LocalBlobStore:
    """A :class:`~atrium.server.backends.blobstore.base.BlobStore` in a local directory."""

    def __init__(
        self,
        root: Path,
        *,
        fsync_min_size: int = FSYNC_MIN_SIZE,
        max_blob_size: int = MAX_BLOB_SIZE,
        pack_max_blob: int = PACK_MAX_BLOB,
    ) -> None:
        self.root = Path(root)
        self.fsync_min_size = fsync_min_size
        self.max_blob_size = max_blob_size
        self.pack_max_blob = pack_max_blob
        self._tmp = self.root / "tmp"
        self._quarantine = self.root / "quarantine"
        self._tmp.mkdir(parents=True, exist_ok=True)
        self._packs = PackIndex(self.root / "packs")
        # Hot paths build str paths: pathlib costs ~20 us per put/stat at 20,000 files.
        self._root_str = str(self.root)
        self._tmp_str = str(self._tmp)
        self._reflink_works = True  # until the first refusal: then skip the wasted ioctl
        self._sweep_tmp(STALE_TMP_SECONDS)
        self._sweep_packs(STALE_TMP_SECONDS)

    def path(self, key: str) -> Path:
        """Where the blob ``key`` lives as a loose file (whether or not it is stored so)."""
        return Path(self._file(key))

    def _file(self, key: str) -> str:
        check_key(key)
        return f"{self._root_str}/{key[:2]}/{key[2:4]}/{key}"

    # -- queries ------------------------------------------------------------------------------

    def has(self, key: str) -> bool:
        return self._stored_size(key) is not None

    def missing(self, keys: Iterable[str]) -> set[str]:
        wanted = list({check_key(key) for key in keys})
        # Packed blobs answer in one indexed query per ~900 keys; the others cost one stat
        # each, inlined (~4 us a key: the hot path of pushes of large files).
        root, stat, absent = self._root_str, os.stat, set()
        for key in set(wanted) - self._packs.present(wanted):
            try:
                size = stat(f"{root}/{key[:2]}/{key[2:4]}/{key}").st_size
            except FileNotFoundError:
                absent.add(key)
                continue
            if size == 0 and key != EMPTY_KEY:  # see _stored_size
                absent.add(key)
        return absent

    def size(self, key: str) -> int | None:
        return self._stored_size(key)

    def stat_mtime(self, key: str) -> float | None:
        where = self._packs.find(check_key(key))
        if where is not None:
            return where.mtime
        try:
            return os.stat(self._file(key)).st_mtime
        except FileNotFoundError:
            return None

    def iter_keys(self) -> Iterator[str]:
        packed = set(self._packs.keys())
        yield from packed
        for level1 in _subdirs(self.root):
            for level2 in _subdirs(level1):
                prefix = level1.name + level2.name
                with os.scandir(level2) as entries:
                    for entry in entries:
                        name = entry.name
                        if name.startswith(prefix) and is_key(name) and name not in packed:
                            yield name

    # -- writes -------------------------------------------------------------------------------

    def put(self, key: str, chunks: Iterable[Buffer]) -> int:
        final = self._file(key)
        existing = self._stored_size(key)
        if existing is not None:
            return existing
        tmp = f"{self._tmp_str}/{key[:16]}.{secrets.token_hex(8)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            with open(fd, "wb") as out:
                size = self._write_verified(key, chunks, out)
                os.fchmod(out.fileno(), _files.READ_ONLY)
            _rename_into_place(tmp, final)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        return size

    def put_bytes(self, key: str, data: bytes) -> int:
        return self.put(key, (data,))

    def put_many(self, blobs: Iterable[tuple[str, Buffer]]) -> list[BlobCorrupt]:
        small: dict[str, Buffer] = {}
        large: list[tuple[str, Buffer]] = []
        bad: list[BlobCorrupt] = []
        for key, data in blobs:
            check_key(key)
            if len(data) > self.max_blob_size:
                raise BlobTooLarge(key, self.max_blob_size)
            if len(data) > self.pack_max_blob:
                large.append((key, data))
            elif (actual := hash_bytes(data)) != key:
                bad.append(BlobCorrupt(key, actual))
            else:
                small[key] = data
        self._pack(small)
        for key, data in large:
            try:
                self.put(key, (data,))
            except BlobCorrupt as exc:
                bad.append(exc)
        return bad

    def delete(self, key: str) -> None:
        removed = self._packs.remove(check_key(key))
        if removed is not None:
            self._after_removal(removed)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._file(key))

    # -- reads --------------------------------------------------------------------------------

    def get_bytes(self, key: str) -> bytes:
        packed = self._read_packed(key)
        if packed is not None:
            return packed
        with self._open_file(key) as f:
            data = f.read()
            self._verify(key, hash_bytes(data), f)
        return data

    def get_many(self, keys: Sequence[str]) -> Iterator[tuple[str, bytes]]:
        for key in keys:
            check_key(key)
        where = self._packs.find_many(keys)  # one lookup for all, not one query per blob
        packs: dict[str, int] = {}  # pack name -> a descriptor open for the whole call
        try:
            for key in keys:
                packed = where.get(key)
                data = None if packed is None else self._read_from(packs, key, packed)
                yield key, self.get_bytes(key) if data is None else data
        finally:
            for fd in packs.values():
                os.close(fd)

    def _read_from(self, packs: dict[str, int], key: str, where: Packed) -> bytes | None:
        """A packed blob's verified bytes, read through ``packs``; None if its pack is gone.

        A pack compacted away after the lookup either is still open here (an unlinked file
        keeps its bytes) or fails to open, and the caller looks the blob up again.
        """
        fd = packs.get(where.pack)
        if fd is None:
            try:
                fd = os.open(self._packs.pack_path(where.pack), os.O_RDONLY | os.O_CLOEXEC)
            except FileNotFoundError:
                return None
            packs[where.pack] = fd
        data = os.pread(fd, where.size, where.offset)
        actual = hash_bytes(data)
        if actual != key or len(data) != where.size:
            self._quarantine_packed(key, where, data)
            raise BlobCorrupt(key, actual)
        return data

    def open(self, key: str) -> Iterator[bytes]:
        packed = self._read_packed(key)
        if packed is not None:
            return iter((packed,))  # verified already: at most pack_max_blob bytes
        return self._stream(key, self._open_file(key))

    def materialize(self, key: str, dest: Path) -> None:
        dest = Path(dest)
        packed = self._read_packed(key)
        if packed is not None:
            _files.write_read_only(dest, packed)
            return
        src = self._file(key)
        self._verify_stored(key)
        # Fast path (ext4 and most filesystems): a hard link made straight at ``dest`` appears
        # complete and atomically; only an existing dest or a clone or copy needs a temp file.
        if not self._reflink_works and _files.link_new(src, dest):
            return
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = _files.sibling_tmp(dest)
        try:
            self._place(Path(src), tmp)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _files.install(tmp, dest)

    # -- packs --------------------------------------------------------------------------------

    def _pack(self, blobs: dict[str, Buffer]) -> None:
        """Write verified small blobs not stored yet as one pack, then index it."""
        fresh = sorted(set(blobs) - self._packs.present(list(blobs)))
        if not fresh:
            return
        name = _packs.new_pack_name()
        path = self._packs.pack_path(name)
        entries, offset = [], 0
        for key in fresh:
            entries.append((key, offset, len(blobs[key])))
            offset += len(blobs[key])
        _packs.write_pack(path, [blobs[key] for key in fresh])
        try:
            live = self._packs.add(name, offset, entries)
        except BaseException:
            os.unlink(path)
            raise
        if not live:  # a concurrent put stored all of them first
            os.unlink(path)

    def _read_packed(self, key: str) -> bytes | None:
        """A packed blob's verified bytes; None if the blob is not packed."""
        check_key(key)
        for _ in range(3):  # a compaction may move the blob between lookup and read
            where = self._packs.find(key)
            if where is None:
                return None
            try:
                data = _packs.read_packed(self._packs.pack_path(where.pack), where)
            except FileNotFoundError:
                continue
            actual = hash_bytes(data)
            if actual != key or len(data) != where.size:
                self._quarantine_packed(key, where, data)
                raise BlobCorrupt(key, actual)
            return data
        return None

    def _quarantine_packed(self, key: str, where: Packed, data: bytes) -> None:
        """Keep a copy of the bad bytes and unindex the blob, so ``missing()`` reports it."""
        self._quarantine.mkdir(exist_ok=True)
        (self._quarantine / f"{key}.{time.time_ns()}").write_bytes(data)
        removed = self._packs.remove(key, where)
        if removed is not None:
            self._after_removal(removed)

    def _after_removal(self, removed: _packs.Removed) -> None:
        """Drop a pack nothing uses; rewrite one mostly dead (GC frees its bytes this way).

        Compacting at half dead bounds the copying: each byte is rewritten at most about once.
        """
        if removed.live <= 0:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._packs.pack_path(removed.pack))
        elif removed.live * 2 < removed.size and removed.size >= COMPACT_MIN_SIZE:
            self._compact(removed.pack)

    def _compact(self, pack: str) -> None:
        old_path = self._packs.pack_path(pack)
        try:
            fd = os.open(old_path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return  # compacted by another thread meanwhile
        moved: list[tuple[str, int]] = []
        pieces: list[bytes] = []
        offset = 0
        try:
            for key, at, size in self._packs.entries(pack):
                data = os.pread(fd, size, at)
                if hash_bytes(data) != key:
                    self._quarantine_packed(key, Packed(pack, at, size, 0.0), data)
                    continue
                moved.append((key, offset))
                pieces.append(data)
                offset += size
        finally:
            os.close(fd)
        self._rewrite(pack, moved, pieces, offset)

    def _rewrite(
        self, old: str, moved: list[tuple[str, int]], pieces: list[bytes], size: int
    ) -> None:
        name = _packs.new_pack_name()
        path = self._packs.pack_path(name)
        _packs.write_pack(path, pieces)
        live, old_gone = self._packs.move(old, name, size, moved)
        if not live:
            os.unlink(path)
        if old_gone:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._packs.pack_path(old))

    def _sweep_packs(self, older_than: float) -> None:
        """Remove pack files no index entry names: left by a process killed before indexing."""
        cutoff = time.time() - older_than
        indexed = self._packs.pack_names()
        with os.scandir(self._packs.directory) as entries:
            for entry in entries:
                name = entry.name.removesuffix(".pack")
                if name == entry.name or name in indexed:
                    continue
                with contextlib.suppress(FileNotFoundError):
                    if entry.stat().st_mtime < cutoff:
                        os.unlink(entry.path)

    # -- internals ----------------------------------------------------------------------------

    def _stored_size(self, key: str) -> int | None:
        where = self._packs.find(check_key(key))
        if where is not None:
            return where.size
        try:
            size = os.stat(self._file(key)).st_size
        except FileNotFoundError:
            return None
        # Zero bytes under a non-empty key is the trace of a crash before write-back: missing.
        return None if size == 0 and key != EMPTY_KEY else size

    def _write_verified(self, key: str, chunks: Iterable[Buffer], out: BinaryIO) -> int:
        hasher = Hasher()
        for chunk in chunks:
            hasher.update(chunk)
            if hasher.size > self.max_blob_size:
                raise BlobTooLarge(key, self.max_blob_size)
            out.write(chunk)
        actual = hasher.hexdigest()
        if actual != key:
            raise BlobCorrupt(key, actual)
        out.flush()
        if hasher.size >= self.fsync_min_size:
            os.fsync(out.fileno())
        return hasher.size

    def _open_file(self, key: str) -> BinaryIO:
        try:
            return open(self._file(key), "rb")  # closed by the caller or the stream
        except FileNotFoundError:
            raise BlobNotFound(key) from None

    def _stream(self, key: str, f: BinaryIO) -> Iterator[bytes]:
        with f:
            hasher = Hasher()
            while chunk := f.read(READ_CHUNK):
                hasher.update(chunk)
                yield chunk
            self._verify(key, hasher.hexdigest(), f)

    def _verify_stored(self, key: str) -> None:
        with self._open_file(key) as f:
            self._verify(key, hash_file(f), f)

    def _verify(self, key: str, actual: str, f: BinaryIO) -> None:
        if actual != key:
            self._quarantine_file(key, os.fstat(f.fileno()).st_ino)
            raise BlobCorrupt(key, actual)

    def _quarantine_file(self, key: str, inode: int) -> None:
        """Move a corrupt blob aside (kept for inspection) so ``missing()`` asks for it again.

        The inode check keeps a good copy that a concurrent ``put`` just renamed into place.
        """
        path = self.path(key)
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_ino != inode:
                return
            self._quarantine.mkdir(exist_ok=True)
            os.replace(path, self._quarantine / f"{key}.{time.time_ns()}")

    def _place(self, src: Path, tmp: Path) -> None:
        """Put the blob's bytes at ``tmp``: reflink, else hard link, else copy."""
        if self._reflink_works:
            if _files.try_reflink(src, tmp):
                return
            self._reflink_works = False
            tmp.unlink(missing_ok=True)
        # A hard link shares the store's read-only inode: nothing to copy, and a user who
        # chmods and edits it is caught by verify-on-read (the blob is then quarantined).
        if not _files.try_link(src, tmp):
            _files.copy_file(src, tmp)

    def _sweep_tmp(self, older_than: float) -> None:
        cutoff = time.time() - older_than
        with os.scandir(self._tmp) as entries:
            for entry in entries:
                with contextlib.suppress(FileNotFoundError):
                    if entry.stat().st_mtime < cutoff:
                        os.unlink(entry.path)


def _rename_into_place(tmp: str, final: str) -> None:
    """Atomically publish a finished blob; the first blob of a fan-out directory creates it."""
    try:
        os.replace(tmp, final)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(final), exist_ok=True)
        os.replace(tmp, final)


def _subdirs(path: Path) -> Iterator[Path]:
    """Fan-out directories below ``path``: two lowercase hex characters."""
    with os.scandir(path) as entries:
        names = [e.name for e in entries if e.is_dir() and len(e.name) == 2 and _is_hex(e.name)]
    for name in names:
        yield path / name


def _is_hex(name: str) -> bool:
    return all(c in _HEX for c in name)
