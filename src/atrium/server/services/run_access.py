"""Finding a run the caller may see or change, and turning run rows into wire models.

Members of a group see all its runs and experiments. They change what they created; changing
anyone else's needs the group's admin (``run.manage``). Everyone else gets a 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from atrium.contracts.tracking import LatestMetric, Run, Source
from atrium.server.domain.errors import NotFound
from atrium.server.domain.model import Context
from atrium.server.domain.tracking import Selection, loaded_value
from atrium.server.services import policy
from atrium.server.store import run_views as views
from atrium.server.store import runs as run_store
from atrium.server.store.run_views import Latest
from atrium.server.store.tables import GroupRow
from atrium.server.store.tracking_tables import RunParamRow, RunRow, RunTagRow

EVERYTHING = Selection()


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


def _latest(found: Latest) -> LatestMetric:
    _, value, step, timestamp, low, high, count = found
    return LatestMetric(
        value=loaded_value(value), step=step, timestamp=timestamp, min=low, max=high, count=count
    )


def to_runs(s: Session, group: str, ids: Sequence[int], only: Selection = EVERYTHING) -> list[Run]:
    """Wire models of the runs ``ids`` with their params, tags and latest metrics (those
    ``only`` selects), in a few queries (store/run_views.py).

    Built with ``model_construct``: the values come from the database, already checked, and
    validating a page of a thousand runs again would cost more than the queries."""
    rows = views.runs(s, ids)
    params = views.pairs(s, RunParamRow, ids, only.params)
    tags = views.pairs(s, RunTagRow, ids, only.tags)
    metrics = views.latest(s, ids, only.metrics)
    inputs = views.inputs(s, ids) if only.inputs else {}
    experiments = views.experiment_names(s, [r.experiment_id for r in rows])
    parents = views.uuids(s, [r.parent_id for r in rows if r.parent_id is not None])
    return [
        Run.model_construct(
            id=r.uuid,
            name=r.name,
            group=group,
            experiment=experiments[r.experiment_id],
            experiment_id=r.experiment_id,
            status=r.status,
            user=r.user,
            start_time=r.start_time,
            end_time=r.end_time,
            parent_run_id=parents.get(r.parent_id) if r.parent_id is not None else None,
            source=Source(
                type=r.source_type,
                name=r.source_name,
                job_id=r.source_job_id,
                git_commit=r.git_commit,
            ),
            notes=r.notes,
            params=params.get(r.id, {}),
            tags=tags.get(r.id, {}),
            metrics={m[0]: _latest(m) for m in metrics.get(r.id, [])},
            inputs=inputs.get(r.id, []),
        )
        for r in rows
    ]
