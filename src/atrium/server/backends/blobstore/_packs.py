"""Pack files for the local store: many small blobs in one file, found through a SQLite index.

One file per blob costs ~200 us of create + rename + mkdir on this project's VM, which is most
of the time a 20,000 x 4 KiB push takes; one pack per upload request costs one create and one
fsync per ~16 MiB (docs/blobstore.md has the numbers).

Layout under ``root/packs/``: ``<name>.pack`` files (the blobs' bytes back to back) and
``index.sqlite`` (WAL). A pack is written and fsynced under a fresh name first; its blobs become
visible only when the one transaction that indexes them commits. A process killed in between
leaves an unindexed pack file, removed when a store opens (once older than the stale age). A
machine crash can lose the last index transactions (WAL, ``synchronous=NORMAL``): those blobs
are then absent, never partial, and ``missing()`` asks for them again.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from atrium.server.backends.blobstore.base import Buffer

#: SQLite's default limit on bound parameters is 32,766 (3.32+); stay well under it.
_QUERY_BATCH = 900
_IOV_MAX = 1024
_SCHEMA = """
CREATE TABLE IF NOT EXISTS packs (
    name TEXT PRIMARY KEY,
    size INTEGER NOT NULL,  -- bytes in the file
    live INTEGER NOT NULL   -- bytes of the blobs still indexed in it
);
CREATE TABLE IF NOT EXISTS blobs (
    key BLOB PRIMARY KEY,   -- the 32 raw bytes of the BLAKE3 digest
    pack TEXT NOT NULL,
    "offset" INTEGER NOT NULL,
    size INTEGER NOT NULL,
    mtime REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS blobs_by_pack ON blobs (pack);
"""


@dataclass(frozen=True, slots=True)
class Packed:
    """Where a packed blob's bytes are."""

    pack: str
    offset: int
    size: int
    mtime: float


@dataclass(frozen=True, slots=True)
class Removed:
    """What deleting a packed blob left of its pack."""

    pack: str
    size: int
    live: int


class PackIndex:
    """The index of ``directory``'s packs; safe to use from many threads and processes."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._path = str(directory / "index.sqlite")
        self._local = threading.local()
        self._db().executescript(_SCHEMA)  # idempotent, and commits on its own

    def pack_path(self, name: str) -> str:
        return f"{self.directory}/{name}.pack"

    # -- reads ----------------------------------------------------------------------------------

    def find(self, key: str) -> Packed | None:
        row = (
            self._db()
            .execute(
                'SELECT pack, "offset", size, mtime FROM blobs WHERE key = ?', (bytes.fromhex(key),)
            )
            .fetchone()
        )
        return None if row is None else Packed(*row)

    def find_many(self, keys: Sequence[str]) -> dict[str, Packed]:
        """Where each indexed one of ``keys`` is (one query per batch, not one per key)."""
        db, found = self._db(), {}
        for i in range(0, len(keys), _QUERY_BATCH):
            batch = {bytes.fromhex(k): k for k in keys[i : i + _QUERY_BATCH]}
            marks = ",".join("?" * len(batch))
            query = f'SELECT key, pack, "offset", size, mtime FROM blobs WHERE key IN ({marks})'
            for raw, *where in db.execute(query, list(batch)):
                found[batch[raw]] = Packed(*where)
        return found

    def present(self, keys: Sequence[str]) -> set[str]:
        """Which of ``keys`` are indexed."""
        db, found = self._db(), set[str]()
        for i in range(0, len(keys), _QUERY_BATCH):
            batch = [bytes.fromhex(k) for k in keys[i : i + _QUERY_BATCH]]
            marks = ",".join("?" * len(batch))
            rows = db.execute(f"SELECT key FROM blobs WHERE key IN ({marks})", batch)
            found.update(raw.hex() for (raw,) in rows)
        return found

    def keys(self) -> Iterator[str]:
        for (raw,) in self._db().execute("SELECT key FROM blobs"):
            yield raw.hex()

    def entries(self, pack: str) -> list[tuple[str, int, int]]:
        """(key, offset, size) of the blobs still indexed in ``pack``, in file order."""
        rows = self._db().execute(
            'SELECT key, "offset", size FROM blobs WHERE pack = ? ORDER BY "offset"', (pack,)
        )
        return [(raw.hex(), offset, size) for raw, offset, size in rows]

    def pack_names(self) -> set[str]:
        return {name for (name,) in self._db().execute("SELECT name FROM packs")}

    # -- writes ---------------------------------------------------------------------------------

    def add(self, pack: str, size: int, entries: Iterable[tuple[str, int, int]]) -> int:
        """Index a written pack's blobs (keys already indexed keep their old place).

        Returns the bytes that became visible; at 0 the pack is not recorded at all.
        """
        now = time.time()
        rows = [(bytes.fromhex(k), pack, offset, n, now) for k, offset, n in entries]
        with self._transaction() as db:
            db.execute("INSERT INTO packs (name, size, live) VALUES (?, ?, 0)", (pack, size))
            db.executemany("INSERT OR IGNORE INTO blobs VALUES (?, ?, ?, ?, ?)", rows)
            return self._settle(db, pack)

    def remove(self, key: str, where: Packed | None = None) -> Removed | None:
        """Unindex ``key`` (only if still at ``where``, when given); None if it was not there."""
        raw = bytes.fromhex(key)
        with self._transaction() as db:
            row = db.execute('SELECT pack, "offset", size FROM blobs WHERE key = ?', (raw,))
            found = row.fetchone()
            if found is None or (where is not None and found[:2] != (where.pack, where.offset)):
                return None
            pack, _, size = found
            db.execute("DELETE FROM blobs WHERE key = ?", (raw,))
            db.execute("UPDATE packs SET live = live - ? WHERE name = ?", (size, pack))
            total, live = db.execute(
                "SELECT size, live FROM packs WHERE name = ?", (pack,)
            ).fetchone()
            if live <= 0:
                db.execute("DELETE FROM packs WHERE name = ?", (pack,))
            return Removed(pack, total, live)

    def move(
        self, old: str, new: str, size: int, entries: Sequence[tuple[str, int]]
    ) -> tuple[int, bool]:
        """Point the blobs ``entries`` (key, new offset) from pack ``old`` to ``new``.

        Blobs deleted meanwhile stay deleted. Returns the live bytes of ``new`` (0: it is not
        recorded) and whether ``old`` is now unused.
        """
        rows = [(new, offset, bytes.fromhex(key), old) for key, offset in entries]
        with self._transaction() as db:
            db.execute("INSERT INTO packs (name, size, live) VALUES (?, ?, 0)", (new, size))
            db.executemany(
                'UPDATE blobs SET pack = ?, "offset" = ? WHERE key = ? AND pack = ?', rows
            )
            return self._settle(db, new), self._settle(db, old) == 0

    # -- internals ------------------------------------------------------------------------------

    @staticmethod
    def _settle(db: sqlite3.Connection, pack: str) -> int:
        """Recount a pack's live bytes; forget it if nothing in it is indexed."""
        (live,) = db.execute(
            "SELECT COALESCE(SUM(size), 0) FROM blobs WHERE pack = ?", (pack,)
        ).fetchone()
        if live:
            db.execute("UPDATE packs SET live = ? WHERE name = ?", (live, pack))
        else:
            db.execute("DELETE FROM packs WHERE name = ?", (pack,))
        return int(live)

    def _db(self) -> sqlite3.Connection:
        # One connection per thread: sqlite3 connections must not be shared while in use, and
        # the server's thread pool reads the index from many threads at once.
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self._path, timeout=60.0, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def new_pack_name() -> str:
    return f"{time.time_ns():x}-{secrets.token_hex(6)}"


def write_pack(path: str, pieces: Sequence[Buffer]) -> None:
    """Write a new pack file and fsync it (before its index commit, so a machine crash cannot
    leave the index pointing at bytes that never reached the disk)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o444)
    try:
        for start in range(0, len(pieces), _IOV_MAX):
            _write_all(fd, list(pieces[start : start + _IOV_MAX]))
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        raise
    os.close(fd)


def _write_all(fd: int, batch: list[Buffer]) -> None:
    """``writev`` until every byte is written (a regular file rarely takes less)."""
    first = 0
    while first < len(batch):
        written = os.writev(fd, batch[first:])
        while first < len(batch) and written >= len(batch[first]):
            written -= len(batch[first])
            first += 1
        if written:
            batch[first] = memoryview(batch[first])[written:]


def read_packed(path: str, where: Packed) -> bytes:
    """The bytes at ``where`` (FileNotFoundError if the pack was compacted away meanwhile)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        return os.pread(fd, where.size, where.offset)
    finally:
        os.close(fd)
