"""Run queries: the run row, its params, tags, inputs and latest metrics."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from atrium.server.store.tables import JobRow
from atrium.server.store.tracking_tables import (
    RunInputRow,
    RunMetricRow,
    RunParamRow,
    RunRow,
    RunTagRow,
)

BATCH = 500


def by_uuid(s: Session, group_id: int, uuid: str, lock: bool = False) -> RunRow | None:
    stmt = select(RunRow).where(
        RunRow.uuid == uuid, RunRow.group_id == group_id, RunRow.deleted_at.is_(None)
    )
    return s.scalar(stmt.with_for_update() if lock else stmt)


def by_uuids(s: Session, group_id: int, uuids: Sequence[str]) -> list[RunRow]:
    stmt = select(RunRow).where(
        RunRow.uuid.in_(set(uuids)), RunRow.group_id == group_id, RunRow.deleted_at.is_(None)
    )
    return list(s.scalars(stmt))


def by_ids(s: Session, ids: Sequence[int]) -> list[RunRow]:
    """Runs by internal id, in the order of ``ids``."""
    if not ids:
        return []
    found = {r.id: r for r in s.scalars(select(RunRow).where(RunRow.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def uuids(s: Session, ids: Sequence[int]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    stmt = select(RunRow.id, RunRow.uuid).where(RunRow.id.in_(wanted))
    return {i: u for i, u in s.execute(stmt).tuples()}


def add(s: Session, row: RunRow) -> RunRow:
    s.add(row)
    s.flush()
    return row


def lock(s: Session, run_id: int) -> None:
    """Serialise writers of one run (PostgreSQL; SQLite writers are serial already)."""
    s.execute(select(RunRow.id).where(RunRow.id == run_id).with_for_update())


# ---- params and tags -------------------------------------------------------------------------


def param_values(s: Session, run_id: int, keys: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for i in range(0, len(keys), BATCH):
        stmt = select(RunParamRow.key, RunParamRow.value).where(
            RunParamRow.run_id == run_id, RunParamRow.key.in_(keys[i : i + BATCH])
        )
        found.update({k: v for k, v in s.execute(stmt).tuples()})
    return found


def add_params(s: Session, run_id: int, params: Mapping[str, str]) -> None:
    if params:
        rows = [{"run_id": run_id, "key": k, "value": v} for k, v in params.items()]
        s.execute(insert(RunParamRow), rows)


def set_tags(s: Session, run_id: int, tags: Mapping[str, str]) -> None:
    """Insert new tags, overwrite existing ones."""
    if not tags:
        return
    keys = list(tags)
    existing: set[str] = set()
    for i in range(0, len(keys), BATCH):
        stmt = select(RunTagRow.key).where(
            RunTagRow.run_id == run_id, RunTagRow.key.in_(keys[i : i + BATCH])
        )
        existing.update(s.scalars(stmt))
    new = [{"run_id": run_id, "key": k, "value": v} for k, v in tags.items() if k not in existing]
    old = [{"r": run_id, "k": k, "v": v} for k, v in tags.items() if k in existing]
    if new:
        s.execute(insert(RunTagRow), new)
    if old:
        change = (
            update(RunTagRow)
            .where(RunTagRow.run_id == bindparam("r"), RunTagRow.key == bindparam("k"))
            .values(value=bindparam("v"))
        )
        s.connection().execute(change, old)


def delete_tag(s: Session, run_id: int, key: str) -> bool:
    row = s.get(RunTagRow, (run_id, key))
    if row is None:
        return False
    s.delete(row)
    s.flush()
    return True


def _pairs(
    s: Session, table: type[RunParamRow] | type[RunTagRow], ids: Sequence[int]
) -> dict[int, dict[str, str]]:
    out: dict[int, dict[str, str]] = defaultdict(dict)
    for i in range(0, len(ids), BATCH):
        stmt = select(table.run_id, table.key, table.value).where(
            table.run_id.in_(ids[i : i + BATCH])
        )
        for run_id, key, value in s.execute(stmt).tuples():
            out[run_id][key] = value
    return out


def params_of(s: Session, ids: Sequence[int]) -> dict[int, dict[str, str]]:
    return _pairs(s, RunParamRow, ids)


def tags_of(s: Session, ids: Sequence[int]) -> dict[int, dict[str, str]]:
    return _pairs(s, RunTagRow, ids)


def metrics_of(s: Session, ids: Sequence[int]) -> dict[int, list[RunMetricRow]]:
    out: dict[int, list[RunMetricRow]] = defaultdict(list)
    for i in range(0, len(ids), BATCH):
        stmt = (
            select(RunMetricRow)
            .where(RunMetricRow.run_id.in_(ids[i : i + BATCH]))
            .order_by(RunMetricRow.key)
        )
        for row in s.scalars(stmt):
            out[row.run_id].append(row)
    return out


# ---- lineage ---------------------------------------------------------------------------------


def job_spec(s: Session, group_id: int, job_id: int) -> dict[str, Any] | None:
    stmt = select(JobRow.spec).where(JobRow.id == job_id, JobRow.group_id == group_id)
    return s.scalar(stmt)


def add_inputs(s: Session, run_id: int, inputs: Mapping[int, str]) -> None:
    """``inputs`` maps dataset version ids to their pinned refs (``group/name@v3``)."""
    if inputs:
        rows = [{"run_id": run_id, "dataset_version_id": v, "ref": r} for v, r in inputs.items()]
        s.execute(insert(RunInputRow), rows)


def inputs_of(s: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    if ids:
        stmt = (
            select(RunInputRow.run_id, RunInputRow.ref)
            .where(RunInputRow.run_id.in_(ids))
            .order_by(RunInputRow.ref)
        )
        for run_id, ref in s.execute(stmt).tuples():
            out[run_id].append(ref)
    return out
