"""Finding a run the caller may see or change, and turning run rows into wire models.

Members of a group see all its runs and experiments. They change what they created; changing
anyone else's needs the group's admin (``run.manage``). Everyone else gets a 404.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from math import isfinite
from typing import Any

from sqlalchemy.orm import Session

from atrium.contracts.tracking import Run, wire_float
from atrium.server.domain.errors import NotFound
from atrium.server.domain.model import Context
from atrium.server.domain.tracking import Selection
from atrium.server.services import policy
from atrium.server.store import run_views as views
from atrium.server.store import runs as run_store
from atrium.server.store.run_views import Latest, RunColumns
from atrium.server.store.tables import GroupRow
from atrium.server.store.tracking_tables import RunParamRow, RunRow, RunTagRow

EVERYTHING = Selection()
RUN_FIELDS = frozenset(Run.model_fields)


@dataclass(frozen=True)
class RunTarget:
    group: GroupRow
    run: RunRow


def resolve(
    s: Session, ctx: Context, group: str, run_id: str, write: bool = False, lock: bool = False
) -> RunTarget:
    """The live run ``run_id`` of ``group``; ``write`` also checks the caller may change it."""
    row = policy.require_group(s, ctx.principal, group, "run.read")
    run = run_store.by_uuid(s, row.id, run_id, lock=lock)
    if run is None:
        raise NotFound(f"run {run_id} not found in {group!r}")
    if write:
        policy.require_owner_or(s, ctx.principal, row, run.user_id, "run.manage")
    return RunTarget(row, run)


def _latest(found: list[Latest]) -> dict[str, Any]:
    """Each metric's latest value; a NULL value is a NaN (see domain.tracking)."""
    return {
        key: {
            "value": math.nan if value is None else value,
            "step": step,
            "timestamp": timestamp,
            "min": low,
            "max": high,
            "count": count,
        }
        for key, value, step, timestamp, low, high, count in found
    }


def _latest_json(found: list[Latest]) -> dict[str, Any]:
    """:func:`_latest` as JSON carries it: NaN and the infinities as their strings."""
    out = {}
    for key, value, step, timestamp, low, high, count in found:
        metric: dict[str, Any] = {
            "value": value,
            "step": step,
            "timestamp": timestamp,
            "min": low,
            "max": high,
            "count": count,
        }
        # One test for the three numbers of nearly every metric: a sum is finite only if each
        # term is (a sum that overflows takes the slow path too); a NULL raises TypeError.
        try:
            finite = isfinite(value + low + high)  # type: ignore[operator]
        except TypeError:
            finite = False
        if not finite:
            metric["value"] = "NaN" if value is None else _json_float(value)
            metric["min"], metric["max"] = _json_float(low), _json_float(high)
        out[key] = metric
    return out


def _json_float(value: float | None) -> float | str | None:
    return None if value is None else wire_float(value)


@dataclass(frozen=True)
class RunViews:
    """The rows a page of runs shows, fetched in a few queries (store/run_views.py); iterating
    makes their wire models one at a time, :meth:`json_ready` their plain dicts.

    A page can then be encoded run by run, each run dropped as soon as it is encoded: a whole
    page of 1,000 runs alive at once outlives the garbage collector's young generations, and the
    full collections that a few such pages bring on walk every object of the server. The models
    are built without validation: the values come from the database, already checked."""

    group: str
    rows: list[RunColumns]
    params: dict[int, dict[str, str]]
    tags: dict[int, dict[str, str]]
    metrics: dict[int, list[Latest]]
    inputs: dict[int, list[str]]

    def __iter__(self) -> Iterator[Run]:
        return (_trusted(fields) for fields in self._fields(_latest))

    def json_ready(self) -> Iterator[dict[str, Any]]:
        """Each run's fields as a JSON encoder takes them, non-finite metrics as strings (the
        wire's form, contracts/tracking.py), without the models."""
        return self._fields(_latest_json)

    def _fields(self, latest: Callable[[list[Latest]], dict[str, Any]]) -> Iterator[dict[str, Any]]:
        group, params, tags = self.group, self.params, self.tags
        metrics, inputs = self.metrics, self.inputs
        for (
            id_, uuid, name, experiment_id, experiment, status, user, start_time, end_time,
            parent, source_type, source_name, job_id, git_commit, notes,
        ) in self.rows:  # fmt: skip
            yield {
                "id": uuid,
                "name": name,
                "group": group,
                "experiment": experiment,
                "experiment_id": experiment_id,
                "status": status,
                "user": user,
                "start_time": start_time,
                "end_time": end_time,
                "parent_run_id": parent,
                "source": {
                    "type": source_type,
                    "name": source_name,
                    "job_id": job_id,
                    "git_commit": git_commit,
                },
                "notes": notes,
                "params": params.get(id_, {}),
                "tags": tags.get(id_, {}),
                "metrics": latest(metrics.get(id_, [])),
                "inputs": inputs.get(id_, []),
            }


def run_views(s: Session, group: str, ids: Sequence[int], only: Selection = EVERYTHING) -> RunViews:
    """The runs ``ids`` with their params, tags and latest metrics (those ``only`` selects)."""
    return RunViews(
        group=group,
        rows=views.runs(s, ids),
        params=views.pairs(s, RunParamRow, ids, only.params),
        tags=views.pairs(s, RunTagRow, ids, only.tags),
        metrics=views.latest(s, ids, only.metrics),
        inputs=views.inputs(s, ids) if only.inputs else {},
    )


def to_runs(s: Session, group: str, ids: Sequence[int], only: Selection = EVERYTHING) -> list[Run]:
    """Wire models of the runs ``ids`` (see :class:`RunViews`)."""
    return list(run_views(s, group, ids, only))


def _trusted(fields: dict[str, Any]) -> Run:
    """What ``Run.model_construct(**fields)`` makes when every field is given, without its
    per-field bookkeeping (a third of a 1,000-run page's time)."""
    run = Run.__new__(Run)
    object.__setattr__(run, "__dict__", fields)
    object.__setattr__(run, "__pydantic_fields_set__", set(RUN_FIELDS))
    object.__setattr__(run, "__pydantic_extra__", None)
    object.__setattr__(run, "__pydantic_private__", None)
    return run
