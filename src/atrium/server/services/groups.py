"""Groups and their members."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from atrium.contracts.common import Page
from atrium.contracts.groups import (
    Group,
    GroupCreate,
    GroupDeletion,
    GroupUpdate,
    Member,
    MemberAdd,
    MemberUpdate,
)
from atrium.server.domain.clock import Clock
from atrium.server.domain.errors import Conflict, NotFound
from atrium.server.domain.model import Context, Role
from atrium.server.services import policy
from atrium.server.services.audit import Auditor
from atrium.server.store import groups as group_store
from atrium.server.store import quotas as quota_store
from atrium.server.store import users as user_store
from atrium.server.store.db import Database
from atrium.server.store.tables import GroupQuotaRow, GroupRow, MembershipRow, UserRow


def to_member(user: UserRow, membership: MembershipRow) -> Member:
    return Member(
        username=user.username,
        display_name=user.display_name,
        email=user.email,
        role=membership.role,
        joined_at=membership.created_at,
    )


class GroupService:
    def __init__(self, db: Database, clock: Clock, auditor: Auditor) -> None:
        self.db = db
        self.clock = clock
        self.auditor = auditor

    def list(self, ctx: Context, limit: int, cursor: str | None) -> Page[Group]:
        policy.require_hub(ctx.principal, "hub.read")
        member_id = None if ctx.principal.is_admin else ctx.principal.user_id
        with self.db.read() as s:
            rows, nxt = group_store.list_page(s, limit, cursor, member_id)
            return Page[Group](items=_to_groups(s, ctx, rows), next_cursor=nxt)

    def get(self, ctx: Context, name: str) -> Group:
        with self.db.read() as s:
            row = policy.require_group(s, ctx.principal, name, "group.read")
            return _to_groups(s, ctx, [row])[0]

    def create(self, ctx: Context, body: GroupCreate) -> Group:
        policy.require_hub(ctx.principal, "group.create")
        now = self.clock.now()
        with self.db.write() as s:
            if group_store.by_name(s, body.name) is not None:
                raise Conflict(f"group {body.name!r} already exists")
            row = group_store.add(
                s,
                GroupRow(
                    name=body.name,
                    display_name=body.display_name,
                    description=body.description,
                    created_at=now,
                    updated_at=now,
                ),
            )
            group_store.add_quota_row(s, GroupQuotaRow(group_id=row.id, updated_at=now))
            self.auditor.record(s, ctx, "group.create", "group", row.name, group=row.name)
            return _to_groups(s, ctx, [row])[0]

    def update(self, ctx: Context, name: str, body: GroupUpdate) -> Group:
        changes = body.model_dump(exclude_unset=True)
        with self.db.write() as s:
            row = policy.require_group(s, ctx.principal, name, "group.update")
            for field, value in changes.items():
                setattr(row, field, value)
            row.updated_at = self.clock.now()
            self.auditor.record(s, ctx, "group.update", "group", name, group=name, details=changes)
            return _to_groups(s, ctx, [row])[0]

    def delete(self, ctx: Context, name: str, preview: bool) -> GroupDeletion:
        with self.db.write() as s:
            row = policy.require_group(s, ctx.principal, name, "group.delete")
            resources = group_store.dependents(s, row.id)
            if quota_store.used(s, row.id)["running_jobs"] > 0 and not preview:
                raise Conflict(f"group {name!r} still has running work: stop it first")
            if not preview:
                group_store.delete(s, row)
                self.auditor.record(
                    s, ctx, "group.delete", "group", name, group=name, details=resources
                )
            return GroupDeletion(group=name, deleted=not preview, resources=resources)


class MemberService:
    def __init__(self, db: Database, clock: Clock, auditor: Auditor) -> None:
        self.db = db
        self.clock = clock
        self.auditor = auditor

    def list(self, ctx: Context, group: str, limit: int, cursor: str | None) -> Page[Member]:
        with self.db.read() as s:
            row = policy.require_group(s, ctx.principal, group, "member.read")
            pairs, nxt = group_store.members_page(s, row.id, limit, cursor)
            return Page[Member](items=[to_member(u, m) for u, m in pairs], next_cursor=nxt)

    def get(self, ctx: Context, group: str, username: str) -> Member:
        with self.db.read() as s:
            row = policy.require_group(s, ctx.principal, group, "member.read")
            user, membership = _membership(s, row, username)
            return to_member(user, membership)

    def add(self, ctx: Context, group: str, body: MemberAdd) -> Member:
        with self.db.write() as s:
            row = policy.require_group(s, ctx.principal, group, "member.manage")
            user = user_store.by_username(s, body.username)
            if user is None:
                raise NotFound(f"user {body.username!r} not found")
            if group_store.membership(s, row.id, user.id) is not None:
                raise Conflict(f"{body.username!r} is already a member of {group!r}")
            membership = group_store.add_membership(
                s,
                MembershipRow(
                    group_id=row.id, user_id=user.id, role=body.role, created_at=self.clock.now()
                ),
            )
            details = {"role": body.role}
            self.auditor.record(
                s, ctx, "member.add", "member", body.username, group=group, details=details
            )
            return to_member(user, membership)

    def update(self, ctx: Context, group: str, username: str, body: MemberUpdate) -> Member:
        with self.db.write() as s:
            row = policy.require_group(s, ctx.principal, group, "member.manage")
            user, membership = _membership(s, row, username)
            if membership.role == Role.ADMIN.value and body.role != Role.ADMIN.value:
                _guard_last_group_admin(s, row, allow_platform_admin=ctx.principal.is_admin)
            membership.role = body.role
            details = {"role": body.role}
            self.auditor.record(
                s, ctx, "member.update", "member", username, group=group, details=details
            )
            return to_member(user, membership)

    def remove(self, ctx: Context, group: str, username: str) -> None:
        with self.db.write() as s:
            row = policy.require_group(s, ctx.principal, group, "member.manage")
            user, membership = _membership(s, row, username)
            if membership.role == Role.ADMIN.value:
                _guard_last_group_admin(s, row, allow_platform_admin=ctx.principal.is_admin)
            group_store.delete_membership(s, membership)
            quota_store.delete_member_quota(s, row.id, user.id)
            self.auditor.record(s, ctx, "member.remove", "member", username, group=group)


def _membership(s: Session, group: GroupRow, username: str) -> tuple[UserRow, MembershipRow]:
    user = user_store.by_username(s, username)
    membership = group_store.membership(s, group.id, user.id) if user else None
    if user is None or membership is None:
        raise NotFound(f"{username!r} is not a member of {group.name!r}")
    return user, membership


def _guard_last_group_admin(
    s: Session, group: GroupRow, allow_platform_admin: bool = False
) -> None:
    """A group keeps at least one admin unless a platform admin deliberately removes the last."""
    if allow_platform_admin:
        return
    if group_store.count_admins(s, group.id) <= 1:
        raise Conflict(f"this is the last admin of {group.name!r}: promote another member first")


def _to_groups(s: Session, ctx: Context, rows: Sequence[GroupRow]) -> list[Group]:
    counts = group_store.member_counts(s, [r.id for r in rows])
    roles: dict[str, str] = {}
    if ctx.principal.user_id is not None:
        roles = {g.name: role for g, role in group_store.roles_of(s, ctx.principal.user_id)}
    return [
        Group(
            name=r.name,
            display_name=r.display_name,
            description=r.description,
            created_at=r.created_at,
            member_count=counts.get(r.id, 0),
            my_role=roles.get(r.name),
        )
        for r in rows
    ]
