"""Manifest and blob rows of dataset versions, copied in SQL and inserted by executemany.

A new version is usually its parent with a few changes (or none: a push of unchanged data),
so its rows are copied from the parent inside the database (``INSERT ... SELECT``) and only
the difference travels as parameters. Rows are plain tuples: ORM objects cost ~30 us each,
which is most of a 20,000-file commit.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import blake3
import orjson
from sqlalchemy import ColumnElement, Table, Text, cast, delete, insert, literal, select
from sqlalchemy.orm import Session

from atrium.server.domain import manifest
from atrium.server.store.paging import rows_page
from atrium.server.store.tables import VersionBlobRow, VersionFileRow

#: path -> (size, hash, mode, chunks), as stored.
Files = dict[str, tuple[int, str, int, list[str] | None]]
FILES: Table = VersionFileRow.__table__  # type: ignore[assignment]
BLOBS: Table = VersionBlobRow.__table__  # type: ignore[assignment]
_BATCH = 5000
_IN_BATCH = 500


#: The columns of a file row, chunks as JSON text: SQLAlchemy's JSON type runs the standard
#: library's decoder on every row, even on the ``null`` of a small file (most of the time it
#: takes to read a 20,000-file manifest).
_COLUMNS = (
    FILES.c.path,
    FILES.c.size,
    FILES.c.hash,
    FILES.c.mode,
    cast(FILES.c.chunks, Text).label("chunks"),
)
#: A file row as the driver returns it: (path, size, hash, mode, chunks as JSON text or None).
RawRow = tuple[str, int, str, int, str | None]


def chunks(raw: str | None) -> list[str] | None:
    """A stored ``chunks`` value (JSON text, ``null`` for a file of one blob) decoded."""
    return None if raw is None or raw == "null" else orjson.loads(raw)


def files(s: Session, version_id: int) -> Files:
    stmt = select(*_COLUMNS).where(FILES.c.version_id == version_id)
    rows = s.execute(stmt).tuples()
    return {path: (size, h, mode, chunks(raw)) for path, size, h, mode, raw in rows}


def files_page(
    s: Session, version_id: int, prefix: str | None, limit: int, cursor: str | None
) -> tuple[list[RawRow], str | None]:
    """Up to ``limit`` file rows in path order after ``cursor``, as row tuples (a pull reads
    20,000 of them: ORM objects would cost more than the query)."""
    stmt = select(*_COLUMNS).where(FILES.c.version_id == version_id)
    if prefix:
        stmt = stmt.where(FILES.c.path.startswith(prefix, autoescape=True))
    return rows_page(s, stmt, FILES.c.path, 0, limit, cursor)


def digest(stored: Files) -> str:
    """BLAKE3 of a manifest as stored, in path order: equal digests, equal rows."""
    rows = [(path, *stored[path]) for path in sorted(stored)]
    return blake3.blake3(orjson.dumps(rows)).hexdigest()


def blob_sizes(stored: Files) -> dict[str, int]:
    """Every blob the files reference, with its size: what their version's blob rows hold."""
    return manifest.blob_sizes(
        FileRow(p, size, h, mode, chunks) for p, (size, h, mode, chunks) in stored.items()
    )


@dataclass(slots=True)
class FileRow:
    path: str
    size: int
    hash: str
    mode: int
    chunks: list[str] | None


def blobs(s: Session, version_id: int) -> dict[str, int]:
    stmt = select(BLOBS.c.hash, BLOBS.c.size).where(BLOBS.c.version_id == version_id)
    return dict(s.execute(stmt).tuples().all())


def write_files(s: Session, version_id: int, parent_id: int | None, new: Files, old: Files) -> None:
    """Store the manifest ``new`` of a version whose parent (``parent_id``, if any) has ``old``."""
    stale = {p for p, row in old.items() if new.get(p) != row}
    copy = _worth_copying(parent_id, stale, old)
    if copy:
        _copy(s, FILES, FILES.c.path, version_id, parent_id, stale)
    paths = [p for p, row in new.items() if old.get(p) != row] if copy else list(new)
    _insert(
        s,
        FILES,
        [
            (version_id, p, size, h, m, "null" if c is None else json.dumps(c))
            for p in paths
            for size, h, m, c in (new[p],)
        ],
    )


def write_blobs(
    s: Session,
    version_id: int,
    parent_id: int | None,
    new: Mapping[str, int],
    old: Mapping[str, int],
) -> None:
    """Store the blob list ``new`` of a version whose parent (if any) references ``old``."""
    stale = {h for h in old if h not in new}
    copy = _worth_copying(parent_id, stale, old)
    if copy:
        _copy(s, BLOBS, BLOBS.c.hash, version_id, parent_id, stale)
    hashes = [h for h in new if h not in old] if copy else list(new)
    _insert(s, BLOBS, [(version_id, h, new[h]) for h in hashes])


def copy_version(s: Session, version_id: int, parent_id: int) -> None:
    """Give ``version_id`` exactly the file and blob rows of ``parent_id``."""
    _copy(s, FILES, FILES.c.path, version_id, parent_id, ())
    _copy(s, BLOBS, BLOBS.c.hash, version_id, parent_id, ())


def _worth_copying(parent_id: int | None, stale: Collection[str], old: Collection[str]) -> bool:
    """Copy the parent's rows unless more than half of them would be deleted again."""
    return parent_id is not None and len(stale) * 2 <= len(old)


def _copy(
    s: Session,
    table: Table,
    key: ColumnElement[str],
    version_id: int,
    parent_id: int | None,
    stale: Collection[str],
) -> None:
    """Give ``version_id`` the rows of ``parent_id`` except those whose ``key`` is ``stale``."""
    columns = [c for c in table.c if c.name != "version_id"]
    source = select(literal(version_id), *columns).where(table.c.version_id == parent_id)
    s.execute(insert(table).from_select(["version_id", *[c.name for c in columns]], source))
    for batch in _batches(sorted(stale), _IN_BATCH):
        s.execute(delete(table).where(table.c.version_id == version_id, key.in_(batch)))


def _insert(s: Session, table: Table, rows: list[tuple[Any, ...]]) -> None:
    """One ``executemany`` per batch of plain tuples in the table's column order, straight to
    the driver: SQLAlchemy's ``insert`` with dicts spent ~25 us a row building parameters.
    ``chunks`` goes in as the JSON text SQLAlchemy's JSON type would write (``null`` for a
    file of one blob)."""
    if not rows:
        return
    mark = "?" if s.get_bind().dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(c.name for c in table.c)
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join(mark for _ in table.c)})"
    connection = s.connection()
    for i in range(0, len(rows), _BATCH):
        connection.exec_driver_sql(sql, rows[i : i + _BATCH])


def _batches(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
