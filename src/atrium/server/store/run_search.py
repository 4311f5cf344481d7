"""Compiling a parsed run filter (domain/run_filter.py) and its order to SQL.

Every key and value becomes a bound parameter: no text from the filter ever reaches the SQL
string. Metric conditions read the latest-value summary (``run_metrics``), never the points.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from atrium.server.domain.errors import InvalidInput
from atrium.server.domain.run_filter import Comparison, Field, Node, OrderKey
from atrium.server.store.paging import decode_cursor, encode_cursor
from atrium.server.store.tracking_tables import (
    ExperimentRow,
    RunMetricRow,
    RunParamRow,
    RunRow,
    RunTagRow,
)

Condition = ColumnElement[bool]
Column = ColumnElement[Any] | InstrumentedAttribute[Any]
_Parent = aliased(RunRow)
KEYED: dict[str, type[RunMetricRow] | type[RunParamRow] | type[RunTagRow]] = {
    "metric": RunMetricRow,
    "param": RunParamRow,
    "tag": RunTagRow,
}
ATTRIBUTE_COLUMNS: dict[str, Any] = {
    "run_id": RunRow.uuid,
    "name": RunRow.name,
    "status": RunRow.status,
    "user": RunRow.user,
    "source_type": RunRow.source_type,
    "job_id": RunRow.source_job_id,
    "start_time": RunRow.start_time,
    "end_time": RunRow.end_time,
}


_OPERATORS = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def glob_pattern(like: str) -> str:
    """A LIKE pattern as a GLOB: SQLite's LIKE ignores case, its GLOB does not."""
    out = []
    for char in like:
        if char in "*?[":
            out.append(f"[{char}]")
        else:
            out.append({"%": "*", "_": "?"}.get(char, char))
    return "".join(out)


def _compare(column: Column, op: str, value: Any, dialect: str) -> Condition:
    if op in _OPERATORS:
        return _OPERATORS[op](column, value)  # type: ignore[no-any-return]
    if op == "in":
        return column.in_(value)
    if op == "not in":
        return column.not_in(value)
    if op == "ilike":
        return column.ilike(value)
    assert op == "like", op
    if dialect == "sqlite":
        return column.op("GLOB")(glob_pattern(value))
    return column.like(value)


def _value(table: type[RunMetricRow] | type[RunParamRow] | type[RunTagRow]) -> Column:
    """What a field compares: a metric's latest value, a param's or tag's value."""
    return table.last_value if table is RunMetricRow else table.value  # type: ignore[union-attr]


def _keyed(node: Comparison, dialect: str) -> Condition:
    """A metric (its latest value), param or tag of the run: a correlated EXISTS."""
    table = KEYED[node.field.kind]
    found = and_(table.run_id == RunRow.id, table.key == node.field.key)
    if node.op == "is null":
        return ~exists().where(found)
    if node.op == "is not null":
        return exists().where(found)
    return exists().where(found, _compare(_value(table), node.op, node.value, dialect))


def _attribute(node: Comparison, dialect: str) -> Condition:
    name, op, value = node.field.key, node.op, node.value
    if name == "status":  # stored lower case; MLflow users write FINISHED
        value = tuple(str(v).lower() for v in value) if isinstance(value, tuple) else value
        value = value.lower() if isinstance(value, str) else value
    if name == "experiment":
        if op in ("is null", "is not null"):
            return false() if op == "is null" else true()
        named = _compare(ExperimentRow.name, op, value, dialect)
        return exists().where(ExperimentRow.id == RunRow.experiment_id, named)
    if name == "parent_run_id" and op not in ("is null", "is not null"):
        parent = _compare(_Parent.uuid, op, value, dialect)
        return exists().where(_Parent.id == RunRow.parent_id, parent)
    column = RunRow.parent_id if name == "parent_run_id" else ATTRIBUTE_COLUMNS[name]
    if op == "is null":
        return column.is_(None)
    if op == "is not null":
        return column.is_not(None)
    if name == "job_id":
        value = tuple(int(v) for v in value) if isinstance(value, tuple) else int(value)  # type: ignore[arg-type]
    return _compare(column, op, value, dialect)


def condition(node: Node, dialect: str) -> Condition:
    if not isinstance(node, Comparison):
        parts = [condition(part, dialect) for part in node.parts]
        return and_(*parts) if node.op == "and" else or_(*parts)
    if node.field.kind in KEYED:
        return _keyed(node, dialect)
    return _attribute(node, dialect)


def _order_column(field: Field) -> Column:
    if field.kind in KEYED:
        table = KEYED[field.kind]
        return (
            select(_value(table))
            .where(table.run_id == RunRow.id, table.key == field.key)
            .scalar_subquery()
        )
    if field.key == "experiment":
        return (
            select(ExperimentRow.name)
            .where(ExperimentRow.id == RunRow.experiment_id)
            .scalar_subquery()
        )
    if field.key == "parent_run_id":
        return select(_Parent.uuid).where(_Parent.id == RunRow.parent_id).scalar_subquery()
    return ATTRIBUTE_COLUMNS[field.key]  # type: ignore[no-any-return]


def _ordered(stmt: Select[Any], order: Sequence[OrderKey]) -> Select[Any]:
    """Runs without the value sort last either way; newest first breaks ties."""
    for key in order:
        column = _order_column(key.field)
        stmt = stmt.order_by(column.is_(None), column.desc() if key.descending else column.asc())
    return stmt.order_by(RunRow.start_time.desc(), RunRow.id.desc())


def search(
    s: Session,
    group_id: int,
    experiment_ids: Sequence[int] | None,
    node: Node | None,
    order: Sequence[OrderKey],
    limit: int,
    cursor: str | None,
) -> tuple[list[int], str | None]:
    """Internal ids of one page of matching live runs, and the next page's cursor."""
    stmt = select(RunRow.id).where(RunRow.group_id == group_id, RunRow.deleted_at.is_(None))
    if experiment_ids is not None:
        stmt = stmt.where(RunRow.experiment_id.in_(experiment_ids))
    if node is not None:
        stmt = stmt.where(condition(node, s.get_bind().dialect.name))
    offset = _offset(cursor)
    ids = list(s.scalars(_ordered(stmt, order).offset(offset).limit(limit + 1)))
    if len(ids) <= limit:
        return ids, None
    return ids[:limit], encode_cursor({"offset": offset + limit})


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    value = decode_cursor(cursor)
    offset = value.get("offset") if isinstance(value, dict) else None
    if not isinstance(offset, int) or offset < 0:
        raise InvalidInput("cursor is not valid: pass next_cursor from a previous page")
    return offset
