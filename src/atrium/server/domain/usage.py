"""Allocation-based usage: what a group and a user held, in resource-hours, within one month.

A job attempt holds its instance type's allocation from admission (its quota reservation)
to its end, whether or not the process kept the cores busy: the report bills what was
reserved, as PrimeHub's and most clusters' usage reports do. An interval that crosses a month
boundary is split at it; one still open counts up to "now".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from atrium.server.domain.errors import InvalidInput

GIB = 2**30
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Month:
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        return self.start.strftime("%Y-%m")


def parse_month(text: str | None, now: datetime) -> Month:
    """``YYYY-MM`` as a UTC interval; ``None`` means the current month."""
    if text is None:
        year, month = now.year, now.month
    else:
        found = _MONTH.match(text)
        if found is None:
            raise InvalidInput(f"month must look like 2026-11, got {text!r}")
        year, month = int(found[1]), int(found[2])
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return Month(start, end)


@dataclass(frozen=True)
class Allocation:
    """One held allocation: who held how much, from when to when (``end=None``: still held)."""

    group: str
    user: str | None
    cpu: float
    memory_bytes: int
    gpu: int
    start: datetime
    end: datetime | None


@dataclass
class UsageTotals:
    group: str
    user: str | None
    cpu_core_hours: float = 0.0
    memory_gb_hours: float = 0.0
    gpu_hours: float = 0.0
    attempts: int = 0

    def add(self, a: Allocation, hours: float) -> None:
        self.cpu_core_hours += a.cpu * hours
        self.memory_gb_hours += a.memory_bytes / GIB * hours
        self.gpu_hours += a.gpu * hours
        self.attempts += 1

    def merge(self, other: UsageTotals) -> None:
        self.cpu_core_hours += other.cpu_core_hours
        self.memory_gb_hours += other.memory_gb_hours
        self.gpu_hours += other.gpu_hours
        self.attempts += other.attempts


def aggregate(allocations: Iterable[Allocation], month: Month, now: datetime) -> list[UsageTotals]:
    """Per (group, user) totals for the month, sorted by group then user."""
    totals: dict[tuple[str, str | None], UsageTotals] = {}
    for a in allocations:
        start = max(a.start, month.start)
        end = min(a.end or now, month.end, now)
        if end <= start:
            continue
        key = (a.group, a.user)
        line = totals.setdefault(key, UsageTotals(a.group, a.user))
        line.add(a, (end - start).total_seconds() / 3600)
    return [totals[k] for k in sorted(totals, key=lambda k: (k[0], k[1] or ""))]
