"""Experiments: named collections of runs within a group."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from atrium.contracts.common import Page
from atrium.contracts.tracking import Experiment, ExperimentCreate, ExperimentUpdate
from atrium.server.domain.clock import Clock
from atrium.server.domain.errors import Conflict, NotFound
from atrium.server.domain.model import Context
from atrium.server.domain.tracking import MAX_TAG_VALUE, check_key, check_value
from atrium.server.services import policy
from atrium.server.services.audit import Auditor
from atrium.server.services.run_artifacts import StorageAccount
from atrium.server.store import experiments as exp_store
from atrium.server.store.db import Database
from atrium.server.store.tables import GroupRow
from atrium.server.store.tracking_tables import ExperimentRow


def _views(s: Session, group: str, rows: Sequence[ExperimentRow]) -> list[Experiment]:
    stats = exp_store.run_stats(s, [r.id for r in rows])
    return [
        Experiment(
            id=r.id,
            group=group,
            name=r.name,
            description=r.description,
            tags=r.tags,
            created_by=r.created_by,
            created_at=r.created_at,
            updated_at=r.updated_at,
            run_count=stats[r.id][0] if r.id in stats else 0,
            last_run_at=stats[r.id][1] if r.id in stats else None,
        )
        for r in rows
    ]


def _check_tags(tags: dict[str, str]) -> dict[str, str]:
    for key, value in tags.items():
        check_key("tag", key)
        check_value("tag", key, value, MAX_TAG_VALUE)
    return tags


class ExperimentService:
    def __init__(
        self, db: Database, clock: Clock, auditor: Auditor, storage: StorageAccount
    ) -> None:
        self.db = db
        self.clock = clock
        self.auditor = auditor
        self.storage = storage

    def list(
        self, ctx: Context, group: str, name: str | None, limit: int, cursor: str | None
    ) -> Page[Experiment]:
        with self.db.read() as s:
            row = policy.require_group(s, ctx.principal, group, "run.read")
            rows, nxt = exp_store.list_page(s, row.id, name, limit, cursor)
            return Page[Experiment](items=_views(s, group, rows), next_cursor=nxt)

    def get(self, ctx: Context, group: str, experiment_id: int) -> Experiment:
        with self.db.read() as s:
            row = policy.require_group(s, ctx.principal, group, "run.read")
            return _views(s, group, [self._find(s, row, experiment_id)])[0]

    def create(self, ctx: Context, group: str, body: ExperimentCreate) -> Experiment:
        _check_tags(body.tags)
        with self.db.write() as s:
            row = policy.require_group(s, ctx.principal, group, "run.create")
            if exp_store.by_name(s, row.id, body.name) is not None:
                raise Conflict(f"experiment {body.name!r} already exists in {group!r}")
            created = self.insert(s, ctx, row, body.name, body.description, body.tags)
            return _views(s, group, [created])[0]

    def ensure(self, s: Session, ctx: Context, group: GroupRow, name: str) -> ExperimentRow:
        """The live experiment ``name``, created (and audited) on first use."""
        found = exp_store.by_name(s, group.id, name)
        return found or self.insert(s, ctx, group, name, None, {})

    def insert(
        self,
        s: Session,
        ctx: Context,
        group: GroupRow,
        name: str,
        description: str | None,
        tags: dict[str, str],
    ) -> ExperimentRow:
        now = self.clock.now()
        row = exp_store.add(
            s,
            ExperimentRow(
                group_id=group.id,
                name=name,
                description=description,
                tags=tags,
                created_by=ctx.principal.username,
                created_by_id=ctx.principal.user_id,
                created_at=now,
                updated_at=now,
            ),
        )
        details = {"name": name}
        self.auditor.record(
            s, ctx, "experiment.create", "experiment", str(row.id), group.name, details=details
        )
        return row

    def update(
        self, ctx: Context, group: str, experiment_id: int, body: ExperimentUpdate
    ) -> Experiment:
        changes = body.model_dump(exclude_unset=True)
        _check_tags(changes.get("tags") or {})
        with self.db.write() as s:
            row = policy.require_group(s, ctx.principal, group, "run.read")
            found = self._find(s, row, experiment_id)
            policy.require_owner_or(s, ctx.principal, row, found.created_by_id, "run.manage")
            name = changes.get("name")
            if name and name != found.name and exp_store.by_name(s, row.id, name):
                raise Conflict(f"experiment {name!r} already exists in {group!r}")
            for field, value in changes.items():
                if value is not None or field == "description":
                    setattr(found, field, value)
            found.updated_at = self.clock.now()
            self.auditor.record(
                s, ctx, "experiment.update", "experiment", str(found.id), group, details=changes
            )
            return _views(s, group, [found])[0]

    def delete(self, ctx: Context, group: str, experiment_id: int) -> None:
        """Soft delete, runs included: their artifacts are freed by the next blob GC."""
        with self.db.write() as s:
            row = policy.require_group(s, ctx.principal, group, "run.read")
            found = self._find(s, row, experiment_id)
            policy.require_owner_or(s, ctx.principal, row, found.created_by_id, "run.manage")
            now = self.clock.now()
            found.deleted_at = now
            runs = exp_store.delete_runs(s, found.id, now)
            self.storage.recount(s, row.id)
            details = {"name": found.name, "runs": runs}
            self.auditor.record(
                s, ctx, "experiment.delete", "experiment", str(found.id), group, details=details
            )

    @staticmethod
    def _find(s: Session, group: GroupRow, experiment_id: int) -> ExperimentRow:
        found = exp_store.by_id(s, group.id, experiment_id)
        if found is None:
            raise NotFound(f"experiment {experiment_id} not found in {group.name!r}")
        return found
