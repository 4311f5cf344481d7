"""Keyset pagination: stable pages over a unique, ordered column."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from atrium.server.domain.errors import InvalidInput

T = TypeVar("T")
K = TypeVar("K")
_BAD = "cursor is not valid: pass next_cursor from a previous page"


def encode_cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> Any:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except ValueError as exc:
        raise InvalidInput(_BAD) from exc


def decode_key(cursor: str, kind: type[K]) -> K:
    """The key a cursor resumes after; one of another type (forged, or from another list)
    would fail in the database as a 500, so it is refused here."""
    value = decode_cursor(cursor)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise InvalidInput(_BAD)
    if isinstance(value, int) and not -(2**63) <= value < 2**63:  # beyond a BIGINT
        raise InvalidInput(_BAD)
    return value


def page(
    session: Session,
    stmt: Select[T],
    key: InstrumentedAttribute[Any],
    limit: int,
    cursor: str | None,
    descending: bool = False,
) -> tuple[Sequence[T], str | None]:
    """Return up to ``limit`` rows after ``cursor`` and the cursor of the next page."""
    if cursor is not None:
        after = decode_key(cursor, key.type.python_type)
        stmt = stmt.where(key < after if descending else key > after)
    stmt = stmt.order_by(key.desc() if descending else key.asc()).limit(limit + 1)
    rows = session.scalars(stmt).all()
    return _cut(rows, limit, lambda row: getattr(row, key.key))


def rows_page(
    session: Session,
    stmt: Select[*tuple[Any, ...]],
    key: ColumnElement[Any] | InstrumentedAttribute[Any],
    position: int,
    limit: int,
    cursor: str | None,
) -> tuple[list[Any], str | None]:
    """:func:`page` for a statement of several columns: its rows as tuples, in ascending
    ``key`` order, ``key`` being column ``position`` of each row."""
    if cursor is not None:
        stmt = stmt.where(key > decode_key(cursor, key.type.python_type))
    rows = list(session.execute(stmt.order_by(key).limit(limit + 1)).tuples())
    return _cut(rows, limit, lambda row: row[position])


def _cut(rows: Sequence[T], limit: int, key_of: Callable[[T], Any]) -> tuple[Any, str | None]:
    """The first ``limit`` of ``limit + 1`` fetched rows, and the next page's cursor if the
    extra row was there."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(key_of(rows[-1]))
