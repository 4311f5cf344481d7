"""Instance types: admin-defined resource shapes, global or granted to listed groups."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from atrium.contracts.common import Page
from atrium.contracts.instance_types import InstanceType, InstanceTypeCreate, InstanceTypeUpdate
from atrium.server.domain.clock import Clock
from atrium.server.domain.errors import Conflict, NotFound
from atrium.server.domain.model import Context
from atrium.server.domain.units import parse_bytes
from atrium.server.services import policy
from atrium.server.services.audit import Auditor
from atrium.server.store import groups as group_store
from atrium.server.store import instance_types as it_store
from atrium.server.store.db import Database
from atrium.server.store.tables import InstanceTypeRow

DEFAULT = InstanceTypeCreate(
    name="cpu-1",
    display_name="1 CPU, 2 GiB",
    description="The default shape every group may use",
    cpu=1,
    memory=2 * 2**30,
)


class InstanceTypeService:
    def __init__(self, db: Database, clock: Clock, auditor: Auditor) -> None:
        self.db = db
        self.clock = clock
        self.auditor = auditor

    def list(
        self, ctx: Context, limit: int, cursor: str | None, group: str | None
    ) -> Page[InstanceType]:
        policy.require_hub(ctx.principal, "hub.read")
        with self.db.read() as s:
            visible = self._visible_groups(s, ctx, group)
            ids = None if visible is None else list(visible)
            rows, nxt = it_store.list_page(s, limit, cursor, ids)
            return Page[InstanceType](items=_to_types(s, rows, visible), next_cursor=nxt)

    def get(self, ctx: Context, name: str) -> InstanceType:
        policy.require_hub(ctx.principal, "hub.read")
        with self.db.read() as s:
            row = it_store.by_name(s, name)
            visible = self._visible_groups(s, ctx, None)
            found = _to_types(s, [row], visible) if row else []
            if not found or not (found[0].is_global or visible is None or found[0].groups):
                raise NotFound(f"instance type {name!r} not found")
            return found[0]

    def create(self, ctx: Context, body: InstanceTypeCreate) -> InstanceType:
        policy.require_hub(ctx.principal, "instance_type.manage")
        with self.db.write() as s:
            row = self.insert(s, body)
            self.auditor.record(s, ctx, "instance_type.create", "instance_type", body.name)
            return _to_types(s, [row])[0]

    def insert(self, s: Session, body: InstanceTypeCreate) -> InstanceTypeRow:
        if it_store.by_name(s, body.name) is not None:
            raise Conflict(f"instance type {body.name!r} already exists")
        row = it_store.add(
            s,
            InstanceTypeRow(
                name=body.name,
                display_name=body.display_name,
                description=body.description,
                cpu=body.cpu,
                memory=parse_bytes(body.memory),
                gpu=body.gpu,
                is_global=body.is_global,
                created_at=self.clock.now(),
            ),
        )
        it_store.set_grants(s, row.id, _group_ids(s, body.groups))
        return row

    def update(self, ctx: Context, name: str, body: InstanceTypeUpdate) -> InstanceType:
        policy.require_hub(ctx.principal, "instance_type.manage")
        changes = body.model_dump(exclude_unset=True)
        with self.db.write() as s:
            row = _row(s, name)
            groups = changes.pop("groups", None)
            if changes.get("memory") is not None:
                changes["memory"] = parse_bytes(changes["memory"])
            for field, value in changes.items():
                if value is not None:
                    setattr(row, field, value)
            if groups is not None:
                it_store.set_grants(s, row.id, _group_ids(s, groups))
            details = {**changes, **({"groups": groups} if groups is not None else {})}
            self.auditor.record(
                s, ctx, "instance_type.update", "instance_type", name, details=details
            )
            return _to_types(s, [row])[0]

    def delete(self, ctx: Context, name: str) -> None:
        policy.require_hub(ctx.principal, "instance_type.manage")
        with self.db.write() as s:
            it_store.delete(s, _row(s, name))
            self.auditor.record(s, ctx, "instance_type.delete", "instance_type", name)

    @staticmethod
    def _visible_groups(s: Session, ctx: Context, group: str | None) -> dict[int, str] | None:
        """None means everything; otherwise the groups (id -> name) whose grants the caller sees."""
        if group is not None:
            row = policy.require_group(s, ctx.principal, group, "instance_type.use")
            return {row.id: row.name}
        if ctx.principal.is_admin:
            return None
        assert ctx.principal.user_id is not None
        return {g.id: g.name for g, _ in group_store.roles_of(s, ctx.principal.user_id)}


def _row(s: Session, name: str) -> InstanceTypeRow:
    row = it_store.by_name(s, name)
    if row is None:
        raise NotFound(f"instance type {name!r} not found")
    return row


def _group_ids(s: Session, names: Sequence[str]) -> list[int]:
    ids = []
    for name in dict.fromkeys(names):
        group = group_store.by_name(s, name)
        if group is None:
            raise NotFound(f"group {name!r} not found")
        ids.append(group.id)
    return ids


def _to_types(
    s: Session, rows: Sequence[InstanceTypeRow], visible: dict[int, str] | None = None
) -> list[InstanceType]:
    """Grants list only groups the caller can see: other groups' names are not to leak."""
    grants = it_store.granted_group_names(s, [r.id for r in rows])
    if visible is not None:
        names = set(visible.values())
        grants = {tid: [g for g in granted if g in names] for tid, granted in grants.items()}
    return [
        InstanceType(
            name=r.name,
            display_name=r.display_name,
            description=r.description,
            cpu=r.cpu,
            memory=r.memory,
            gpu=r.gpu,
            is_global=r.is_global,
            groups=grants[r.id],
            created_at=r.created_at,
        )
        for r in rows
    ]
