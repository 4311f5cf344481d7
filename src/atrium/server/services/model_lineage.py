"""Lineage of a version: the run it came from, the run's job, the job's environment, and the
dataset versions the run read. Filled from what runs record when they start (``source_job_id``
and pinned inputs), so a model trained by a job that read ``ml/scans@v3`` leads back to it.

A deleted run still shows (flagged): its rows stay for audit, and a version outlives its run.
"""

from __future__ import annotations

import math

from sqlalchemy.orm import Session

from atrium.contracts.registry import Lineage, LineageJob, LineageRun
from atrium.server.domain.model import Context
from atrium.server.services import model_access as access
from atrium.server.store import run_views
from atrium.server.store.db import Database
from atrium.server.store.tables import JobRow
from atrium.server.store.tracking_tables import RunParamRow, RunRow


def _run(s: Session, run: RunRow, metrics: dict[str, float | None]) -> LineageRun:
    experiment = run_views.experiment_names(s, [run.experiment_id]).get(run.experiment_id, "")
    return LineageRun(
        id=run.uuid,
        name=run.name,
        experiment=experiment,
        status=run.status,
        deleted=run.deleted_at is not None,
        params=run_views.pairs(s, RunParamRow, [run.id]).get(run.id, {}),
        metrics={k: math.nan if v is None else v for k, v in metrics.items()},
    )


def _job(s: Session, run: RunRow) -> tuple[LineageJob | None, str | None]:
    if run.source_job_id is None:
        return None, None
    job = s.get(JobRow, run.source_job_id)
    if job is None or job.group_id != run.group_id:
        return None, None
    found = LineageJob(
        id=job.id,
        name=job.name,
        command=job.spec.get("command"),
        instance_type=job.instance_type,
        status=job.status,
    )
    return found, job.spec.get("environment")


class LineageService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def lineage(self, ctx: Context, group: str, name: str, version: int) -> Lineage:
        """Version -> run -> job -> environment, and the run's dataset versions."""
        with self.db.read() as s:
            t = access.resolve_version(s, ctx, group, name, version)
            run = s.get(RunRow, t.version.run_id) if t.version.run_id is not None else None
            if run is None:
                return Lineage(
                    model=name, version=version, run=None, job=None, environment=None, datasets=[]
                )
            job, environment = _job(s, run)
            return Lineage(
                model=name,
                version=version,
                run=_run(s, run, t.version.metrics),
                job=job,
                environment=environment,
                datasets=run_views.inputs(s, [run.id]).get(run.id, []),
            )
