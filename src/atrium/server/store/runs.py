"""Run queries: the run row, its params, tags, inputs and latest metrics."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from atrium.server.store.tables import JobRow
from atrium.server.store.tracking_tables import (
    RunInputRow,
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


def by_uuid_any(s: Session, uuid: str) -> RunRow | None:
    """The run ``uuid`` even when deleted: run ids are unique across groups and time."""
    return s.scalar(select(RunRow).where(RunRow.uuid == uuid))


def by_uuids(s: Session, group_id: int, uuids: Sequence[str]) -> list[RunRow]:
    stmt = select(RunRow).where(
        RunRow.uuid.in_(set(uuids)), RunRow.group_id == group_id, RunRow.deleted_at.is_(None)
    )
    return list(s.scalars(stmt))


def add(s: Session, row: RunRow) -> RunRow:
    s.add(row)
    s.flush()
    return row


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


# ---- lineage ---------------------------------------------------------------------------------


def job_spec(s: Session, group_id: int, job_id: int) -> dict[str, Any] | None:
    stmt = select(JobRow.spec).where(JobRow.id == job_id, JobRow.group_id == group_id)
    return s.scalar(stmt)


def add_inputs(s: Session, run_id: int, inputs: Mapping[int, str]) -> None:
    """``inputs`` maps dataset version ids to their pinned refs (``group/name@v3``)."""
    if inputs:
        rows = [{"run_id": run_id, "dataset_version_id": v, "ref": r} for v, r in inputs.items()]
        s.execute(insert(RunInputRow), rows)
