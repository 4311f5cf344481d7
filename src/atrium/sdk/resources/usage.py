"""The monthly usage report: allocation-based core-, GB- and GPU-hours per group and user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Self

from atrium.sdk.models import Json
from atrium.sdk.resources._base import Resource, compact

USAGE_COLUMNS = ("group", "user", "cpu_core_hours", "memory_gb_hours", "gpu_hours", "attempts")


@dataclass(frozen=True)
class UsageLine:
    """One group and user's totals (``user`` is None on per-group totals)."""

    group: str
    user: str | None
    cpu_core_hours: float
    memory_gb_hours: float
    gpu_hours: float
    attempts: int

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(
            group=data["group"],
            user=data.get("user"),
            cpu_core_hours=float(data["cpu_core_hours"]),
            memory_gb_hours=float(data["memory_gb_hours"]),
            gpu_hours=float(data["gpu_hours"]),
            attempts=int(data["attempts"]),
        )


@dataclass(frozen=True)
class UsageReport:
    month: str
    start: datetime
    end: datetime
    generated_at: datetime
    scope: str
    lines: list[UsageLine]
    groups: list[UsageLine]

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(
            month=data["month"],
            start=datetime.fromisoformat(data["start"]),
            end=datetime.fromisoformat(data["end"]),
            generated_at=datetime.fromisoformat(data["generated_at"]),
            scope=data["scope"],
            lines=[UsageLine.from_api(x) for x in data["lines"]],
            groups=[UsageLine.from_api(x) for x in data["groups"]],
        )


class UsageResource(Resource):
    def report(self, month: str | None = None, group: str | None = None) -> UsageReport:
        """Usage in ``month`` (``YYYY-MM``, UTC; default: this month), optionally of one group.

        Platform admins see all groups, group admins all users of their groups, members
        their own lines.
        """
        params = compact(month=month, group=group)
        return UsageReport.from_api(self._http.request("GET", "/usage-report", params=params))
