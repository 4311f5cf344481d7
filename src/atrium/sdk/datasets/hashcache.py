"""A local cache of file hashes, so that unchanged files are not read again.

A row is keyed on the directory (its real path) and the file's manifest path, and is valid
while the file's size, ``mtime_ns`` and inode are those recorded. It lives in one SQLite file
under the user's cache directory (``platformdirs.user_cache_dir("atrium")``, or
``$ATRIUM_CACHE_DIR``). A directory's rows are read in one query and written in one
transaction, so that 20,000 files cost milliseconds, not seconds.

A file modified within :data:`RACY_NS` of being hashed is not recorded: a second write in the
same timestamp tick would leave its ``mtime`` unchanged (git's "racily clean" entries).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

import platformdirs

CACHE_ENV = "ATRIUM_CACHE_DIR"
RACY_NS = 50_000_000  # 50 ms, well above the coarsest timestamp tick of common filesystems

# (size, mtime_ns, inode, hash, chunks as JSON or None)
Row = tuple[int, int, int, str, str | None]
# (manifest path, size, mtime_ns, inode, hash, chunks)
Record = tuple[str, int, int, int, str, tuple[str, ...] | None]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    root TEXT NOT NULL,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    inode INTEGER NOT NULL,
    hash TEXT NOT NULL,
    chunks TEXT,
    PRIMARY KEY (root, path)
) WITHOUT ROWID
"""


def cache_dir() -> Path:
    override = os.environ.get(CACHE_ENV)
    return Path(override) if override else Path(platformdirs.user_cache_dir("atrium"))


class HashCache:
    """The hashes of one directory's files, loaded on creation; :meth:`save` writes changes."""

    def __init__(self, root: str | os.PathLike[str], db_path: Path | None = None) -> None:
        self.root = os.path.realpath(root)
        self.db_path = db_path or cache_dir() / "hashes.sqlite"
        self.rows: dict[str, Row] = {}
        self._pending: list[Record] = []
        self._db = _open(self.db_path)
        if self._db is not None:
            self.rows = self._load()

    def _load(self) -> dict[str, Row]:
        query = "SELECT path, size, mtime_ns, inode, hash, chunks FROM files WHERE root = ?"
        try:
            cursor = self._db.execute(query, (self.root,)) if self._db else ()
            return {r[0]: (r[1], r[2], r[3], r[4], r[5]) for r in cursor}
        except sqlite3.Error:
            return {}

    def get(
        self, path: str, size: int, mtime_ns: int, inode: int
    ) -> tuple[str, tuple[str, ...] | None] | None:
        """The recorded (hash, chunks) if the file still has this size, mtime and inode."""
        row = self.rows.get(path)
        if row is None or row[0] != size or row[1] != mtime_ns or row[2] != inode:
            return None
        return row[3], (tuple(json.loads(row[4])) if row[4] else None)

    def put(self, record: Record, *, hashed_at_ns: int | None = None) -> None:
        """Remember a hash; skipped if the file changed less than RACY_NS before it was read.

        ``hashed_at_ns`` is when reading began (``time.time_ns()``); None means the caller wrote
        the file itself and knows its content."""
        if hashed_at_ns is not None and record[2] > hashed_at_ns - RACY_NS:
            return
        self._pending.append(record)

    def forget_missing(self, present: Iterable[str]) -> None:
        """Drop the rows of files that are gone (or were renamed)."""
        gone = self.rows.keys() - set(present)
        if gone and self._db is not None:
            with self._db:
                sql = "DELETE FROM files WHERE root = ? AND path = ?"
                self._db.executemany(sql, ((self.root, p) for p in gone))
            for path in gone:
                del self.rows[path]

    def save(self) -> None:
        """Write what :meth:`put` collected, in one transaction."""
        pending, self._pending = self._pending, []
        for path, size, mtime_ns, inode, digest, chunks in pending:
            self.rows[path] = (size, mtime_ns, inode, digest, _chunks_json(chunks))
        if not pending or self._db is None:
            return
        sql = "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)"
        rows = ((self.root, *r[:5], _chunks_json(r[5])) for r in pending)
        try:
            with self._db:
                self._db.executemany(sql, rows)
        except sqlite3.Error:
            pass  # a cache that cannot be written only costs a re-read next time

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _chunks_json(chunks: tuple[str, ...] | None) -> str | None:
    return json.dumps(list(chunks)) if chunks else None


def _open(path: Path) -> sqlite3.Connection | None:
    """Open (creating) the cache; None if the cache directory is not usable.

    A damaged cache file is deleted and started afresh: it only holds what can be recomputed.
    """
    for attempt in range(3):
        db = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=10, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(_SCHEMA)
            return db
        except sqlite3.OperationalError:
            time.sleep(0.05 * (attempt + 1))  # e.g. another process creating it right now
        except sqlite3.DatabaseError:
            _discard(path)
        except OSError:
            return None
        if db is not None:
            db.close()
    return None


def _discard(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            os.remove(f"{path}{suffix}")
