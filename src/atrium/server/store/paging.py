"""Keyset pagination: stable pages over a unique, ordered column."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from atrium.server.domain.errors import InvalidInput

T = TypeVar("T")


def encode_cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> Any:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except ValueError as exc:
        raise InvalidInput("cursor is not valid: pass next_cursor from a previous page") from exc


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
        after = decode_cursor(cursor)
        stmt = stmt.where(key < after if descending else key > after)
    stmt = stmt.order_by(key.desc() if descending else key.asc()).limit(limit + 1)
    rows = session.scalars(stmt).all()
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(getattr(rows[-1], key.key))
