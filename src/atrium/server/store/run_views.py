"""Everything a page of runs shows, loaded in one query per kind as plain rows.

A search page holds up to 1,000 runs with their params, tags and latest metrics: thousands of
rows. ORM objects and an ``IN`` list of a thousand bound parameters cost more than the queries
themselves, so these fetch the driver's own tuples (:func:`_fetch`) and pass the run ids as one
parameter: a JSON array read by ``json_each`` on SQLite, an array compared with ``= ANY`` on
PostgreSQL.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Executable, any_, bindparam, cast, func, select
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

# (key, last value, last step, last timestamp, min, max, count) of one metric of a run.
Latest = tuple[str, float | None, int, int, float | None, float | None, int]


def _fetch(s: Session, stmt: Executable) -> Sequence[Any]:
    """All rows of ``stmt`` as the driver's plain tuples, without SQLAlchemy's ``Row`` objects
    and result processing: for a page's thousands of rows they cost more than the query, and
    they stay alive long enough to make the garbage collector's full passes more frequent.
    Only for columns the driver already returns as the right Python type (see :func:`_utc`).
    On PostgreSQL the rows come in the binary format (store/db.py says why)."""
    result = s.connection().execute(stmt.execution_options(binary_rows=True))
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


def _among(
    s: Session, column: InstrumentedAttribute[int], ids: Sequence[int]
) -> ColumnElement[bool]:
    if s.get_bind().dialect.name == "postgresql":
        # An array literal the server parses: psycopg checks each element of a list it sends
        # with a regular expression, 3 ms for the five queries of a 500-run page.
        literal = "{" + ",".join(map(str, ids)) + "}"
        return column == any_(cast(bindparam("ids", literal), ARRAY(BigInteger)))
    each = func.json_each(bindparam("ids", json.dumps(list(ids)))).table_valued("value")
    return column.in_(select(each.c.value))


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


def runs(s: Session, ids: Sequence[int]) -> list[RunColumns]:
    """The runs' :data:`RunColumns`, in the order of ``ids``."""
    if not ids:
        return []
    stmt = (
        select(*_COLUMNS)
        .join(ExperimentRow, ExperimentRow.id == RunRow.experiment_id)
        .outerjoin(_Parent, _Parent.id == RunRow.parent_id)
        .where(_among(s, RunRow.id, ids))
    )
    found = {row[0]: (*row[:7], _utc(row[7]), _utc(row[8]), *row[9:]) for row in _fetch(s, stmt)}
    return [found[i] for i in ids if i in found]


def pairs(
    s: Session,
    table: type[RunParamRow] | type[RunTagRow],
    ids: Sequence[int],
    keys: frozenset[str] | None = None,
) -> dict[int, dict[str, str]]:
    """Params or tags of the runs: all of them, or only ``keys``."""
    out: dict[int, dict[str, str]] = defaultdict(dict)
    if ids and keys != frozenset():
        stmt = select(table.run_id, table.key, table.value).where(_among(s, table.run_id, ids))
        if keys is not None:
            stmt = stmt.where(table.key.in_(sorted(keys)))
        for run_id, key, value in _fetch(s, stmt):
            out[run_id][key] = value
    return out


def latest(
    s: Session, ids: Sequence[int], keys: frozenset[str] | None = None
) -> dict[int, list[Latest]]:
    """Latest values of the runs' metrics: all of them, or only ``keys``."""
    out: dict[int, list[Latest]] = defaultdict(list)
    if ids and keys != frozenset():
        m = RunMetricRow
        stmt = select(
            m.run_id, m.key, m.last_value, m.last_step, m.last_timestamp, m.min_value,
            m.max_value, m.count,
        ).where(_among(s, m.run_id, ids)).order_by(m.run_id, m.key)  # fmt: skip
        if keys is not None:
            stmt = stmt.where(m.key.in_(sorted(keys)))
        for row in _fetch(s, stmt):
            out[row[0]].append(row[1:])
    return out


def inputs(s: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    if ids:
        stmt = (
            select(RunInputRow.run_id, RunInputRow.ref)
            .where(_among(s, RunInputRow.run_id, ids))
            .order_by(RunInputRow.ref)
        )
        for run_id, ref in _fetch(s, stmt):
            out[run_id].append(ref)
    return out


def experiment_names(s: Session, ids: Sequence[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    stmt = select(ExperimentRow.id, ExperimentRow.name).where(ExperimentRow.id.in_(wanted))
    return {i: n for i, n in s.connection().execute(stmt).tuples()} if wanted else {}
