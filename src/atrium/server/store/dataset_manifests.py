"""Manifest and blob rows of dataset versions, written in bulk through SQLAlchemy Core.

A new version is usually its parent with a few changes (or none: a push of unchanged data),
so its rows are copied from the parent inside the database (``INSERT ... SELECT``) and only
the difference travels as parameters. Rows are plain tuples: ORM objects cost ~30 us each,
which is most of a 20,000-file commit.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, insert, literal, select
from sqlalchemy.orm import Session

from atrium.server.domain import manifest
from atrium.server.store.tables import VersionBlobRow, VersionFileRow

#: path -> (size, hash, mode, chunks), as stored.
Files = dict[str, tuple[int, str, int, list[str] | None]]
FILES: Table = VersionFileRow.__table__  # type: ignore[assignment]
BLOBS: Table = VersionBlobRow.__table__  # type: ignore[assignment]
_BATCH = 5000
_IN_BATCH = 500


def files(s: Session, version_id: int) -> Files:
    cols = FILES.c
    stmt = select(cols.path, cols.size, cols.hash, cols.mode, cols.chunks).where(
        cols.version_id == version_id
    )
    rows = s.execute(stmt).all()
    return {path: (size, h, mode, chunks) for path, size, h, mode, chunks in rows}


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
        (
            {"version_id": version_id, "path": p, "size": size, "hash": h, "mode": m, "chunks": c}
            for p in paths
            for size, h, m, c in (new[p],)
        ),
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
    _insert(s, BLOBS, ({"version_id": version_id, "hash": h, "size": new[h]} for h in hashes))


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


def _insert(s: Session, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == _BATCH:
            s.execute(insert(table), batch)
            batch = []
    if batch:
        s.execute(insert(table), batch)


def _batches(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
