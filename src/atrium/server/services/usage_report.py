"""The monthly usage report: who held how many core-, GB- and GPU-hours.

Platform admins see every group; group admins see every user of the groups they administer;
members see their own lines in their groups. Nobody sees a group they are not in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from atrium.contracts.usage_report import UsageLine, UsageReport
from atrium.server.domain.clock import Clock
from atrium.server.domain.errors import Unauthenticated
from atrium.server.domain.model import Context
from atrium.server.domain.usage import Month, UsageTotals, aggregate, parse_month
from atrium.server.services import policy
from atrium.server.store import groups as group_store
from atrium.server.store import usage as usage_store
from atrium.server.store.db import Database

#: Hours are rounded to 4 decimals (a third of a core-second): stable CSV, exact enough to bill.
_DIGITS = 4


class UsageReportService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def report(self, ctx: Context, month: str | None, group: str | None) -> UsageReport:
        principal = ctx.principal
        if not principal.authenticated or principal.user_id is None:
            raise Unauthenticated("sign in first: send a bearer token or log in")
        now = self.clock.now()
        period = parse_month(month, now)
        with self.db.read() as s:
            full, own = self._scope(s, ctx, group)
            ids = None if full is None else list(full.values()) + list(own.values())
            allocations = usage_store.job_allocations(s, period.start, period.end, ids)
        if full is not None:
            allocations = [
                a for a in allocations if a.group in full or a.user == principal.username
            ]
        lines = aggregate(allocations, period, now)
        return _report(period, now, lines, "all" if full is None else _describe(full, own))

    def _scope(
        self, s: Session, ctx: Context, group: str | None
    ) -> tuple[dict[str, int] | None, dict[str, int]]:
        """Groups seen in full, and groups where only the caller's own lines are seen.

        ``None`` for the first means everything (a platform admin without a group filter).
        """
        principal = ctx.principal
        if group is not None:
            row = policy.require_group(s, principal, group, "group.read")
            if policy.allows(policy.group_standing(s, principal, row), "usage_report.read"):
                return {row.name: row.id}, {}
            return {}, {row.name: row.id}
        if principal.is_admin:
            return None, {}
        assert principal.user_id is not None
        full: dict[str, int] = {}
        own: dict[str, int] = {}
        for g, role in group_store.roles_of(s, principal.user_id):
            (full if role == "admin" else own)[g.name] = g.id
        return full, own


def _describe(full: dict[str, int], own: dict[str, int]) -> str:
    parts = [*(f"{g} (all users)" for g in sorted(full)), *(f"{g} (you)" for g in sorted(own))]
    return ", ".join(parts) or "nothing: you are in no group"


def _line(t: UsageTotals) -> UsageLine:
    return UsageLine(
        group=t.group,
        user=t.user,
        cpu_core_hours=round(t.cpu_core_hours, _DIGITS),
        memory_gb_hours=round(t.memory_gb_hours, _DIGITS),
        gpu_hours=round(t.gpu_hours, _DIGITS),
        attempts=t.attempts,
    )


def _report(period: Month, now: datetime, lines: list[UsageTotals], scope: str) -> UsageReport:
    groups: dict[str, UsageTotals] = {}
    for t in lines:
        groups.setdefault(t.group, UsageTotals(t.group, None)).merge(t)
    return UsageReport(
        month=period.label,
        start=period.start,
        end=period.end,
        generated_at=now,
        scope=scope,
        lines=[_line(t) for t in lines],
        groups=[_line(groups[g]) for g in sorted(groups)],
    )
