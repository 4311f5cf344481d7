"""Quotas, usage, and the reserve/release API that admission of jobs, deployments and uploads uses.

A reservation holds amounts of resources for a holder (``job:42``) until released. Reserving
checks the group's limits and the user's limits inside one write transaction that first locks
the group's quota row, so two reservations racing for the last unit cannot both win.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from atrium.contracts.quotas import Quota, QuotaUpdate, Usage, UsageItem
from atrium.server.domain.clock import Clock
from atrium.server.domain.errors import Conflict, InvalidInput, NotFound, QuotaExceeded
from atrium.server.domain.model import RESOURCES, Context
from atrium.server.domain.units import parse_bytes
from atrium.server.services import policy, security
from atrium.server.services.audit import Auditor
from atrium.server.store import groups as group_store
from atrium.server.store import quotas as quota_store
from atrium.server.store import users as user_store
from atrium.server.store.db import Database
from atrium.server.store.tables import GroupRow, MemberQuotaRow, QuotaColumns, ReservationRow

BYTE_FIELDS = ("memory", "storage_bytes")


@dataclass(frozen=True)
class Request:
    """What a holder asks for; unnamed resources are zero."""

    group_id: int
    user_id: int | None
    holder: str
    reason: str
    amounts: Mapping[str, float] = field(default_factory=dict)
    # Off for reservations that only shrink what is held (a deleted dataset version): a limit
    # lowered under current use must not block giving resources back.
    enforce: bool = True


def to_quota(row: QuotaColumns | None) -> Quota:
    if row is None:
        return Quota()
    return Quota(**{r: getattr(row, r) for r in RESOURCES})


def _limits(body: QuotaUpdate) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    for name in BYTE_FIELDS:
        if changes.get(name) is not None:
            changes[name] = parse_bytes(changes[name], name)
    return changes


def _shortfall(limits: Quota, used: Mapping[str, float], amounts: Mapping[str, float]) -> list[str]:
    over = []
    for name, amount in amounts.items():
        limit = getattr(limits, name)
        if amount > 0 and limit is not None and used[name] + amount > limit:
            over.append(f"{name} {_fmt(used[name])} in use + {_fmt(amount)} asked > {_fmt(limit)}")
    return over


class QuotaService:
    def __init__(self, db: Database, clock: Clock, auditor: Auditor) -> None:
        self.db = db
        self.clock = clock
        self.auditor = auditor

    # ---- limits -------------------------------------------------------------------------

    def get(self, ctx: Context, group: str) -> Quota:
        with self.db.read() as s:
            row = policy.require_group(s, ctx.principal, group, "quota.read")
            return to_quota(quota_store.group_quota(s, row.id))

    def update(self, ctx: Context, group: str, body: QuotaUpdate) -> Quota:
        changes = _limits(body)
        with self.db.write() as s:
            row = policy.require_group(s, ctx.principal, group, "quota.update")
            quota = quota_store.group_quota(s, row.id, lock=True)
            proposed = to_quota(quota).model_copy(update=changes)
            for member in quota_store.member_quotas(s, row.id):
                _check_within(to_quota(member), proposed, "an existing member quota")
            for name, value in changes.items():
                setattr(quota, name, value)
            quota.updated_at = self.clock.now()
            self.auditor.record(s, ctx, "quota.update", "quota", group, group, details=changes)
            return to_quota(quota)

    def get_member(self, ctx: Context, group: str, username: str) -> Quota:
        with self.db.read() as s:
            row = policy.require_group(s, ctx.principal, group, "quota.read")
            user_id = _member_id(s, row, username)
            return to_quota(quota_store.member_quota(s, row.id, user_id))

    def update_member(self, ctx: Context, group: str, username: str, body: QuotaUpdate) -> Quota:
        changes = _limits(body)
        with self.db.write() as s:
            row = policy.require_group(s, ctx.principal, group, "member_quota.update")
            user_id = _member_id(s, row, username)
            group_quota = to_quota(quota_store.group_quota(s, row.id, lock=True))
            quota = quota_store.member_quota(s, row.id, user_id)
            if quota is None:
                quota = quota_store.add_member_quota(
                    s, MemberQuotaRow(group_id=row.id, user_id=user_id, updated_at=self.clock.now())
                )
            _check_within(to_quota(quota).model_copy(update=changes), group_quota, "the group's")
            for name, value in changes.items():
                setattr(quota, name, value)
            quota.updated_at = self.clock.now()
            self.auditor.record(
                s,
                ctx,
                "member_quota.update",
                "quota",
                f"{group}/{username}",
                group,
                details=changes,
            )
            return to_quota(quota)

    def usage(self, ctx: Context, group: str, username: str | None = None) -> Usage:
        with self.db.read() as s:
            row = policy.require_group(s, ctx.principal, group, "quota.read")
            if username is None:
                limits, used = (
                    to_quota(quota_store.group_quota(s, row.id)),
                    quota_store.used(s, row.id),
                )
            else:
                user_id = _member_id(s, row, username)
                limits = to_quota(quota_store.member_quota(s, row.id, user_id))
                used = quota_store.used(s, row.id, user_id)
        resources = {r: UsageItem(used=used[r], limit=getattr(limits, r)) for r in RESOURCES}
        return Usage(group=group, user=username, resources=resources)

    # ---- admission ----------------------------------------------------------------------

    def reserve(self, request: Request) -> str:
        """Reserve in a transaction of its own; returns the reservation id."""
        with self.db.write() as s:
            return self.reserve_in(s, request)

    def reserve_in(self, s: Session, request: Request) -> str:
        """Reserve inside the caller's transaction, so admission commits with the caller's work."""
        unknown = set(request.amounts) - set(RESOURCES)
        if unknown or any(v < 0 for v in request.amounts.values()):
            raise InvalidInput(f"bad reservation amounts: {dict(request.amounts)}")
        limits = to_quota(quota_store.group_quota(s, request.group_id, lock=True))
        if not request.enforce:
            limits = Quota()
        over = _shortfall(limits, quota_store.used(s, request.group_id), request.amounts)
        scope = "group"
        if not over and request.user_id is not None and request.enforce:
            mine = to_quota(quota_store.member_quota(s, request.group_id, request.user_id))
            used = quota_store.used(s, request.group_id, request.user_id)
            over, scope = _shortfall(mine, used, request.amounts), "user"
        if over:
            raise QuotaExceeded(
                f"{scope} quota exceeded: {'; '.join(over)}", {"scope": scope, "over": over}
            )
        row = ReservationRow(
            id=security.new_id("rsv"),
            group_id=request.group_id,
            user_id=request.user_id,
            holder=request.holder,
            reason=request.reason,
            active=True,
            created_at=self.clock.now(),
            **{r: request.amounts.get(r, 0) for r in RESOURCES},
        )
        return quota_store.add_reservation(s, row).id

    def release(self, reservation_id: str, reason: str) -> bool:
        """Release once; releasing again is a no-op that returns False."""
        with self.db.write() as s:
            return self.release_in(s, reservation_id, reason)

    def release_in(self, s: Session, reservation_id: str, reason: str) -> bool:
        row = quota_store.reservation(s, reservation_id, lock=True)
        if row is None:
            raise NotFound(f"reservation {reservation_id!r} not found")
        if not row.active:
            return False
        row.active = False
        row.released_at = self.clock.now()
        row.release_reason = reason
        return True

    def storage_limit(self, group_id: int) -> float | None:
        with self.db.read() as s:
            return quota_store.group_quota(s, group_id).storage_bytes

    @staticmethod
    def refuse_storage(used: int, new: int, limit: float) -> None:
        raise QuotaExceeded(
            f"storage quota exceeded: {_fmt(used)} bytes stored + {_fmt(new)} new > {_fmt(limit)}; "
            "delete old versions or ask a platform admin for more",
            {
                "scope": "group",
                "resource": "storage_bytes",
                "used": used,
                "new": new,
                "limit": limit,
            },
        )

    def set_holding_in(
        self,
        s: Session,
        group_id: int,
        holder: str,
        amounts: Mapping[str, float],
        enforce: bool = True,
    ) -> str:
        """Replace what ``holder`` holds in the group by ``amounts``, atomically."""
        for row in quota_store.active_by_holder(s, group_id, holder):
            self.release_in(s, row.id, "replaced")
        reason = "recomputed holding"
        return self.reserve_in(s, Request(group_id, None, holder, reason, amounts, enforce))

    def group_id(self, name: str) -> int:
        with self.db.read() as s:
            row = group_store.by_name(s, name)
            if row is None:
                raise NotFound(f"group {name!r} not found")
            return row.id


def _member_id(s: Session, group: GroupRow, username: str) -> int:
    user = user_store.by_username(s, username)
    if user is None or group_store.membership(s, group.id, user.id) is None:
        raise NotFound(f"{username!r} is not a member of {group.name!r}")
    return user.id


def _check_within(inner: Quota, outer: Quota, what: str) -> None:
    for name in RESOURCES:
        cap, value = getattr(outer, name), getattr(inner, name)
        if cap is not None and value is not None and value > cap:
            raise Conflict(
                f"{name} {_fmt(value)} would exceed {what} quota of {_fmt(cap)}",
                {"resource": name, "limit": cap, "value": value},
            )


def _fmt(value: float) -> str:
    """Exact integers (bytes) stay readable: 17179869184, not 1.71799e+10."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
