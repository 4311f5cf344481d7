"""Everything a page of runs shows, loaded in one query per kind as plain rows.

A search page holds up to 1,000 runs with their params, tags and latest metrics: thousands of
rows. ORM objects and an ``IN`` list of a thousand bound parameters cost more than the queries
themselves, so these fetch the driver's own tuples (:func:`_fetch`) and pass the run ids as one
parameter: a JSON array read by ``json_each`` on SQLite, an array compared with ``= ANY`` on
PostgreSQL. The statements are built once per dialect: building one and computing its cache key
cost about as much as a small query.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    String,
    any_,
    bindparam,
    cast,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from atrium.server.store.tracking_tables import (
    ExperimentRow,
    RunInputRow,
    RunMetricRow,
    RunParamRow,
    RunRow,
    RunTagRow,
)

# A statement of any columns.
Rows = Select[*tuple[Any, ...]]
# (key, last value, last step, last timestamp, min, max, count) of one metric of a run.
Latest = tuple[str, float | None, int, int, float | None, float | None, int]


def _fetch(s: Session, stmt: Rows, ids: Sequence[int]) -> Sequence[Any]:
    """All rows of ``stmt`` as the driver's plain tuples, without SQLAlchemy's ``Row`` objects
    and result processing: for a page's thousands of rows they cost more than the query, and
    they stay alive long enough to make the garbage collector's full passes more frequent.
    Only for columns the driver already returns as the right Python type (see :func:`_utc`).
    On PostgreSQL the rows come in the binary format (store/db.py says why)."""
    conn = s.connection()
    result = conn.execute(stmt, {"ids": _ids(conn.dialect.name, ids)})
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _utc(value: datetime | str | None) -> datetime | None:
    """What ``UTCDateTime`` makes of a raw value: SQLite's driver returns the stored text, the
    UTC time without an offset (parsed with one: ``replace(tzinfo=)`` is several times slower)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value + "+00:00")
    if value is None or value.tzinfo:
        return value
    return value.replace(tzinfo=UTC)


def _among(dialect: str, column: InstrumentedAttribute[int]) -> ColumnElement[bool]:
    """``column`` is one of the ids bound as ``ids`` (see :func:`_ids`)."""
    ids = bindparam("ids", type_=String)
    if dialect == "postgresql":
        return column == any_(cast(ids, ARRAY(BigInteger)))
    return column.in_(select(func.json_each(ids).table_valued("value").c.value))


def _ids(dialect: str, ids: Sequence[int]) -> str:
    if dialect == "postgresql":
        # An array literal the server parses: psycopg checks each element of a list it sends
        # with a regular expression, 3 ms for the five queries of a 500-run page.
        return "{" + ",".join(map(str, ids)) + "}"
    return json.dumps(list(ids))


def _dialect(s: Session) -> str:
    return s.get_bind().dialect.name


# What a page shows of each run, in this order (plain tuples: a thousand rows' attribute
# lookups by name cost more than the query): id, uuid, name, experiment id and name, status,
# user, start and end times, the parent's uuid, source type, name, job id and git commit, notes.
RunColumns = tuple[
    int, str, str, int, str, str, str | None, datetime, datetime | None, str | None,
    str, str | None, int | None, str | None, str | None,
]  # fmt: skip
_Parent = aliased(RunRow)
_COLUMNS = (
    RunRow.id, RunRow.uuid, RunRow.name, RunRow.experiment_id, ExperimentRow.name,
    RunRow.status, RunRow.user, RunRow.start_time, RunRow.end_time, _Parent.uuid,
    RunRow.source_type, RunRow.source_name, RunRow.source_job_id, RunRow.git_commit,
    RunRow.notes,
)  # fmt: skip


@cache
def _runs(dialect: str) -> Rows:
    return (
        select(*_COLUMNS)
        .join(ExperimentRow, ExperimentRow.id == RunRow.experiment_id)
        .outerjoin(_Parent, _Parent.id == RunRow.parent_id)
        .where(_among(dialect, RunRow.id))
        .execution_options(binary_rows=True)
    )


def runs(s: Session, ids: Sequence[int]) -> list[RunColumns]:
    """The runs' :data:`RunColumns`, in the order of ``ids``."""
    if not ids:
        return []
    rows = _fetch(s, _runs(_dialect(s)), ids)
    found = {row[0]: (*row[:7], _utc(row[7]), _utc(row[8]), *row[9:]) for row in rows}
    return [found[i] for i in ids if i in found]


@cache
def _pairs(dialect: str, table: type[RunParamRow] | type[RunTagRow]) -> Rows:
    stmt = select(table.run_id, table.key, table.value).where(_among(dialect, table.run_id))
    return stmt.execution_options(binary_rows=True)


def pairs(
    s: Session,
    table: type[RunParamRow] | type[RunTagRow],
    ids: Sequence[int],
    keys: frozenset[str] | None = None,
) -> dict[int, dict[str, str]]:
    """Params or tags of the runs: all of them, or only ``keys``."""
    out: dict[int, dict[str, str]] = defaultdict(dict)
    if ids and keys != frozenset():
        stmt = _pairs(_dialect(s), table)
        if keys is not None:
            stmt = stmt.where(table.key.in_(sorted(keys)))
        for run_id, key, value in _fetch(s, stmt, ids):
            out[run_id][key] = value
    return out


@cache
def _latest(dialect: str) -> Rows:
    m = RunMetricRow
    return select(
        m.run_id, m.key, m.last_value, m.last_step, m.last_timestamp, m.min_value, m.max_value,
        m.count,
    ).where(_among(dialect, m.run_id)).order_by(m.run_id, m.key).execution_options(
        binary_rows=True
    )  # fmt: skip


def latest(
    s: Session, ids: Sequence[int], keys: frozenset[str] | None = None
) -> dict[int, list[Latest]]:
    """Latest values of the runs' metrics: all of them, or only ``keys``."""
    out: dict[int, list[Latest]] = defaultdict(list)
    if ids and keys != frozenset():
        stmt = _latest(_dialect(s))
        if keys is not None:
            stmt = stmt.where(RunMetricRow.key.in_(sorted(keys)))
        for row in _fetch(s, stmt, ids):
            out[row[0]].append(row[1:])
    return out


@cache
def _inputs(dialect: str) -> Rows:
    return (
        select(RunInputRow.run_id, RunInputRow.ref)
        .where(_among(dialect, RunInputRow.run_id))
        .order_by(RunInputRow.ref)
        .execution_options(binary_rows=True)
    )


def inputs(s: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    if ids:
        for run_id, ref in _fetch(s, _inputs(_dialect(s)), ids):
            out[run_id].append(ref)
    return out


def experiment_names(s: Session, ids: Sequence[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    stmt = select(ExperimentRow.id, ExperimentRow.name).where(ExperimentRow.id.in_(wanted))
    return {i: n for i, n in s.connection().execute(stmt).tuples()} if wanted else {}
