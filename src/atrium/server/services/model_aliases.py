"""Aliases: named pointers (``production``, ``candidate``) at ready versions of a model.

A move locks the model row, so two concurrent moves of one model serialise and the history
records each one with the version it really moved from. Every move writes an alias event (the
model's history) and an audit event in the same transaction.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from atrium.contracts.common import Page
from atrium.contracts.registry import AliasMove, ModelAlias
from atrium.server.domain.clock import Clock
from atrium.server.domain.errors import Conflict, NotFound
from atrium.server.domain.model import Context
from atrium.server.domain.registry import VersionStatus, check_alias
from atrium.server.services import model_access as access
from atrium.server.services.audit import Auditor
from atrium.server.services.model_access import ModelTarget, VersionTarget
from atrium.server.store import registry as store
from atrium.server.store.db import Database
from atrium.server.store.registry_tables import ModelAliasEventRow, ModelAliasRow

KIND = "registered_model"


def _record(
    s: Session,
    ctx: Context,
    clock: Clock,
    auditor: Auditor,
    t: ModelTarget | VersionTarget,
    alias: str,
    moved: tuple[int | None, int | None],
) -> None:
    before, after = moved
    event = ModelAliasEventRow(
        model_id=t.model.id,
        alias=alias,
        from_version=before,
        to_version=after,
        user=ctx.principal.username,
        user_id=ctx.principal.user_id,
        created_at=clock.now(),
    )
    store.add_event(s, event)
    action = "model.alias_delete" if after is None else "model.alias_set"
    details = {"alias": alias, "from_version": before, "to_version": after}
    auditor.record(s, ctx, action, KIND, t.model.name, t.group.name, details=details)


def remove_alias(
    s: Session,
    ctx: Context,
    clock: Clock,
    auditor: Auditor,
    t: ModelTarget | VersionTarget,
    alias: str,
) -> None:
    """Delete the alias row (the model row is locked by the caller) and record the move."""
    row = store.alias(s, t.model.id, alias)
    if row is None:
        raise NotFound(f"model {t.model.name!r} has no alias {alias!r}")
    before = row.version
    s.delete(row)
    s.flush()
    _record(s, ctx, clock, auditor, t, alias, (before, None))


def _to_alias(model: str, row: ModelAliasRow) -> ModelAlias:
    return ModelAlias(
        model=model,
        alias=row.alias,
        version=row.version,
        updated_by=row.updated_by,
        updated_at=row.updated_at,
    )


class AliasService:
    def __init__(self, db: Database, clock: Clock, auditor: Auditor) -> None:
        self.db = db
        self.clock = clock
        self.auditor = auditor

    def set(self, ctx: Context, group: str, name: str, alias: str, version: int) -> ModelAlias:
        """Point ``alias`` at ready version ``version``, creating or moving it atomically.
        A missing or deleted version is a 404, a pending one a 409; nothing changes then."""
        check_alias(alias)
        with self.db.write() as s:
            t = access.resolve_model(s, ctx, group, name, write=True, lock=True)
            target = store.version(s, t.model.id, version)
            if target is None:
                raise NotFound(f"version {version} of model {name!r} not found in {group!r}")
            if target.status != VersionStatus.READY.value:
                raise Conflict(
                    f"version {version} of {name!r} is {target.status}: finalize it first"
                )
            row = store.alias(s, t.model.id, alias)
            before = row.version if row is not None else None
            if row is None:
                row = ModelAliasRow(model_id=t.model.id, alias=alias, version=version)
                s.add(row)
            if before == version:
                return _to_alias(name, row)
            row.version, row.updated_by = version, ctx.principal.username
            row.updated_at = self.clock.now()
            s.flush()
            _record(s, ctx, self.clock, self.auditor, t, alias, (before, version))
            return _to_alias(name, row)

    def delete(self, ctx: Context, group: str, name: str, alias: str) -> None:
        """Remove the alias; 404 when the model has no such alias."""
        with self.db.write() as s:
            t = access.resolve_model(s, ctx, group, name, write=True, lock=True)
            remove_alias(s, ctx, self.clock, self.auditor, t, alias)

    def get(self, ctx: Context, group: str, name: str, alias: str) -> ModelAlias:
        """Where the alias points now."""
        with self.db.read() as s:
            t = access.resolve_model(s, ctx, group, name)
            row = store.alias(s, t.model.id, alias)
            if row is None:
                raise NotFound(f"model {name!r} has no alias {alias!r}")
            return _to_alias(name, row)

    def history(
        self,
        ctx: Context,
        group: str,
        name: str,
        alias: str | None = None,
        limit: int = 100,
        cursor: str | None = None,
    ) -> Page[AliasMove]:
        """The model's alias moves, newest first; ``alias`` keeps one alias's."""
        with self.db.read() as s:
            t = access.resolve_model(s, ctx, group, name)
            rows, nxt = store.events_page(s, t.model.id, alias, limit, cursor)
            items = [
                AliasMove(
                    alias=r.alias,
                    from_version=r.from_version,
                    to_version=r.to_version,
                    user=r.user,
                    created_at=r.created_at,
                )
                for r in rows
            ]
            return Page[AliasMove](items=items, next_cursor=nxt)
