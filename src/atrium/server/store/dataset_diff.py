"""The difference of two versions' manifests, computed in the database a page at a time.

A diff of two 20,000-file versions must not load both manifests to show its first 1,000
changes, nor to count them: pages walk the ``(version_id, path)`` primary key in path order,
and the totals are two aggregate queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, cast, func, null, or_, select, union_all
from sqlalchemy.orm import Session

from atrium.server.store.dataset_manifests import FILES
from atrium.server.store.paging import decode_key, encode_cursor

_COLUMNS = ("size", "hash", "mode", "chunks")
#: A file as one version stores it, (size, hash, mode, chunks), or None when it lacks the path.
Side = tuple[int, str, int, list[str] | None] | None


@dataclass(frozen=True)
class Change:
    path: str
    old: Side
    new: Side


@dataclass(frozen=True)
class Totals:
    added: int
    removed: int
    modified: int
    bytes_added: int
    bytes_removed: int


def changes_page(
    s: Session, old_id: int, new_id: int, limit: int, cursor: str | None
) -> tuple[list[Change], str | None]:
    """Up to ``limit`` changed paths after ``cursor``, in path order, and the next cursor."""
    after = decode_key(cursor, str) if cursor is not None else None
    old, new = FILES.alias("old"), FILES.alias("new")
    added_or_modified = (
        select(new.c.path, *_files(old, "o_"), *_files(new, "n_"))
        .select_from(new.outerjoin(old, _same_path(old, old_id, new)))
        .where(new.c.version_id == new_id)
        .where(or_(old.c.path.is_(None), old.c.hash != new.c.hash, old.c.mode != new.c.mode))
    )
    removed = (
        select(old.c.path, *_files(old, "o_"), *_nulls("n_"))
        .select_from(old.outerjoin(new, _same_path(new, new_id, old)))
        .where(old.c.version_id == old_id, new.c.path.is_(None))
    )
    both = union_all(
        _first(added_or_modified, new.c.path, after, limit),
        _first(removed, old.c.path, after, limit),
    ).subquery()
    rows = s.execute(select(both).order_by(both.c.path).limit(limit + 1)).all()
    changes = [_change(row) for row in rows[:limit]]
    nxt = encode_cursor(changes[-1].path) if len(rows) > limit else None
    return changes, nxt


def _same_path(other: Any, other_id: int, this: Any) -> ColumnElement[bool]:
    return and_(other.c.version_id == other_id, other.c.path == this.c.path)


def _files(table: Any, prefix: str) -> list[ColumnElement[Any]]:
    return [table.c[name].label(prefix + name) for name in _COLUMNS]


def _nulls(prefix: str) -> list[ColumnElement[Any]]:
    return [cast(null(), FILES.c[name].type).label(prefix + name) for name in _COLUMNS]


def _first(stmt: Select[Any], path: Any, after: str | None, limit: int) -> Select[Any]:
    """A page's worth of ``stmt`` after ``after``: each side of the union stops early instead
    of the union being built whole and then sorted."""
    if after is not None:
        stmt = stmt.where(path > after)
    return select(stmt.order_by(path).limit(limit + 1).subquery())


def _change(row: Any) -> Change:
    old = (row.o_size, row.o_hash, row.o_mode, row.o_chunks) if row.o_hash else None
    new = (row.n_size, row.n_hash, row.n_mode, row.n_chunks) if row.n_hash else None
    return Change(row.path, old, new)


def totals(s: Session, old_id: int, new_id: int) -> Totals:
    """Counts and bytes of the whole diff; a modified file's growth counts as bytes added,
    its shrinkage as bytes removed."""
    old, new = FILES.alias("old"), FILES.alias("new")
    added = old.c.path.is_(None)
    modified = and_(
        old.c.path.is_not(None), or_(old.c.hash != new.c.hash, old.c.mode != new.c.mode)
    )
    grown = case((and_(modified, new.c.size > old.c.size), new.c.size - old.c.size), else_=0)
    shrunk = case((and_(modified, old.c.size > new.c.size), old.c.size - new.c.size), else_=0)
    forward = (
        select(
            _count(added),
            _count(modified),
            func.coalesce(func.sum(case((added, new.c.size), else_=grown)), 0),
            func.coalesce(func.sum(shrunk), 0),
        )
        .select_from(new.outerjoin(old, _same_path(old, old_id, new)))
        .where(new.c.version_id == new_id)
    )
    gone = (
        select(func.count(), func.coalesce(func.sum(old.c.size), 0))
        .select_from(old.outerjoin(new, _same_path(new, new_id, old)))
        .where(old.c.version_id == old_id, new.c.path.is_(None))
    )
    n_added, n_modified, grew, shrank = s.execute(forward).one()
    n_removed, removed_bytes = s.execute(gone).one()
    return Totals(
        added=int(n_added),
        removed=int(n_removed),
        modified=int(n_modified),
        bytes_added=int(grew),
        bytes_removed=int(removed_bytes) + int(shrank),
    )


def _count(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
