"""Runs: create (in an experiment, nested, with lineage), read, update, delete."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.orm import Session

from atrium.contracts.tracking import Run, RunCreate, RunUpdate
from atrium.server.domain.clock import Clock
from atrium.server.domain.errors import InvalidInput, NotFound
from atrium.server.domain.model import Context
from atrium.server.domain.tracking import (
    MAX_PARAM_VALUE,
    MAX_TAG_VALUE,
    RunStatus,
    check_key,
    check_value,
)
from atrium.server.services import dataset_access, policy
from atrium.server.services import run_access as access
from atrium.server.services.audit import Auditor
from atrium.server.services.experiments import ExperimentService
from atrium.server.services.run_artifacts import StorageAccount
from atrium.server.store import runs as run_store
from atrium.server.store.db import Database
from atrium.server.store.tables import GroupRow
from atrium.server.store.tracking_tables import RunRow


def check_params(params: dict[str, str]) -> None:
    for key, value in params.items():
        check_key("param", key)
        check_value("param", key, value, MAX_PARAM_VALUE)


def check_tags(tags: dict[str, str]) -> None:
    for key, value in tags.items():
        check_key("tag", key)
        check_value("tag", key, value, MAX_TAG_VALUE)


class RunService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        auditor: Auditor,
        experiments: ExperimentService,
        storage: StorageAccount,
    ) -> None:
        self.db = db
        self.clock = clock
        self.auditor = auditor
        self.experiments = experiments
        self.storage = storage

    def get(self, ctx: Context, group: str, run_id: str) -> Run:
        with self.db.read() as s:
            target = access.resolve(s, ctx, group, run_id)
            return access.to_runs(s, group, [target.run.id])[0]

    def create(self, ctx: Context, group: str, body: RunCreate) -> Run:
        check_params(body.params)
        check_tags(body.tags)
        with self.db.write() as s:
            row = policy.require_group(s, ctx.principal, group, "run.create")
            run = self.create_in(s, ctx, row, body)
            return access.to_runs(s, group, [run.id])[0]

    def create_in(
        self, s: Session, ctx: Context, group: GroupRow, body: RunCreate, run_uuid: str = ""
    ) -> RunRow:
        """Insert the run inside the caller's transaction, audited (a job's run is made so)."""
        experiment = self.experiments.ensure(s, ctx, group, body.experiment)
        inputs = _resolve_inputs(
            s, ctx, [*body.inputs, *self._job_inputs(s, group, body.source.job_id)]
        )
        run_uuid = run_uuid or uuid.uuid4().hex
        run = run_store.add(
            s,
            RunRow(
                uuid=run_uuid,
                group_id=group.id,
                experiment_id=experiment.id,
                name=body.name or f"run-{run_uuid[:8]}",
                status=RunStatus.RUNNING.value,
                user_id=ctx.principal.user_id,
                user=ctx.principal.username,
                start_time=body.start_time or self.clock.now(),
                parent_id=self._parent(s, group, body.parent_run_id),
                source_type=body.source.type,
                source_name=body.source.name,
                source_job_id=body.source.job_id,
                git_commit=body.source.git_commit,
                updated_at=self.clock.now(),
            ),
        )
        run_store.add_params(s, run.id, body.params)
        run_store.set_tags(s, run.id, body.tags)
        run_store.add_inputs(s, run.id, inputs)
        details = {"experiment": experiment.name, "name": run.name}
        self.auditor.record(s, ctx, "run.create", "run", run_uuid, group.name, details=details)
        return run

    def update(self, ctx: Context, group: str, run_id: str, body: RunUpdate) -> Run:
        changes = body.model_dump(exclude_unset=True, exclude_none=True)
        with self.db.write() as s:
            run = access.resolve(s, ctx, group, run_id, write=True, lock=True).run
            if "name" in changes:
                run.name = changes["name"]
            if "notes" in changes:
                run.notes = changes["notes"]
            if "status" in changes:
                status = RunStatus(changes["status"])
                run.status = status.value
                ended = changes.get("end_time") or run.end_time or self.clock.now()
                run.end_time = ended if status.terminal else None
            elif "end_time" in changes:
                run.end_time = changes["end_time"]
            run.updated_at = self.clock.now()
            details = {k: str(v) for k, v in changes.items() if k != "notes"}
            if "notes" in changes:
                details["notes"] = "changed"
            self.auditor.record(s, ctx, "run.update", "run", run_id, group, details=details)
            return access.to_runs(s, group, [run.id])[0]

    def delete(self, ctx: Context, group: str, run_id: str) -> None:
        """Soft delete: the rows stay for audit; the next blob GC frees the artifacts."""
        with self.db.write() as s:
            target = access.resolve(s, ctx, group, run_id, write=True, lock=True)
            target.run.deleted_at = self.clock.now()
            self.storage.recount(s, target.group.id)
            self.auditor.record(s, ctx, "run.delete", "run", run_id, group)

    def delete_tag(self, ctx: Context, group: str, run_id: str, key: str) -> None:
        with self.db.write() as s:
            target = access.resolve(s, ctx, group, run_id, write=True)
            if not run_store.delete_tag(s, target.run.id, key):
                raise NotFound(f"run {run_id} has no tag {key!r}")
            self.auditor.record(s, ctx, "run.untag", "run", run_id, group, details={"tag": key})

    @staticmethod
    def _parent(s: Session, group: GroupRow, parent: str | None) -> int | None:
        if parent is None:
            return None
        found = run_store.by_uuid(s, group.id, parent)
        if found is None:
            raise InvalidInput(
                f"parent run {parent} not found in {group.name!r}", {"field": "parent_run_id"}
            )
        return found.id

    @staticmethod
    def _job_inputs(s: Session, group: GroupRow, job_id: int | None) -> list[str]:
        """A job's runs read what the job was given: its inputs, pinned at submit."""
        if job_id is None:
            return []
        spec = run_store.job_spec(s, group.id, job_id)
        if spec is None:
            raise InvalidInput(f"job {job_id} not found in {group.name!r}", {"field": "source"})
        return list(spec.get("resolved_inputs", {}).values())


def _resolve_inputs(s: Session, ctx: Context, specs: Iterable[str]) -> dict[int, str]:
    """Dataset version id -> pinned ref (``group/name@v3``) of every readable input."""
    pinned = (dataset_access.pin_input(s, ctx, spec, repr(spec)) for spec in specs)
    return {row.id: ref for row, ref in pinned}
