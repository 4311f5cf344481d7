"""When a schedule fires: 5-field cron or a preset, in an IANA timezone, DST-correct.

Times follow Debian cron's rules (through ``cronsim``): a job at a fixed local time (``0 2 * *
*``) runs once a day, even on the night the clocks go back; on the night they go forward, a time
that does not exist runs at the first minute after the gap. Jobs whose hour field is ``*`` run in
every real hour, both repeated hours included.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

from atrium.server.domain.errors import InvalidInput

PRESETS: dict[str, str] = {
    "hourly": "0 * * * *",
    "daily": "0 0 * * *",
    "weekly": "0 0 * * 0",
    "monthly": "0 0 1 * *",
}
FIELDS = ("minute", "hour", "day-of-month", "month", "day-of-week")
#: Far enough to find ``0 0 29 2 1`` (Feb 29 on a Monday: every 28 years at worst), not forever.
SEARCH_YEARS = 30


@dataclass(frozen=True)
class Timing:
    """A validated cron expression in a timezone."""

    cron: str
    timezone: str

    def next_after(self, moment: datetime) -> datetime | None:
        """The first firing strictly after ``moment``, in UTC; None if there is none in reach."""
        runs = self.upcoming(moment, 1)
        return runs[0].astimezone(UTC) if runs else None

    def upcoming(self, moment: datetime, count: int) -> list[datetime]:
        """The next ``count`` firings after ``moment``, as local times of the schedule's zone.

        Raises InvalidInput for a stored cron or zone that no longer evaluates (a zone dropped
        from the tz database, an expression from another cron dialect).
        """
        local = moment.astimezone(ZoneInfo(check_timezone(self.timezone)))
        limit = local.replace(year=local.year + SEARCH_YEARS, month=1, day=1)
        runs = itertools.takewhile(lambda t: t < limit, CronSim(check_cron(self.cron), local))
        # Inside a repeated (fall-back) hour cronsim works on wall time, so it can offer the
        # first pass's time again, which is already past: that tick ran, skip it.
        ahead = itertools.dropwhile(lambda t: t <= moment, runs)
        return list(itertools.islice(ahead, count))


def timing(cron: str | None, preset: str | None, timezone: str) -> Timing:
    """Check what a user gave (a cron expression or a preset name, and a zone), or refuse it."""
    if (cron is None) == (preset is None):
        raise InvalidInput("give either a cron expression or a preset", {"field": "cron"})
    if preset is not None:
        if preset not in PRESETS:
            raise InvalidInput(
                f"unknown preset {preset!r}: use one of {', '.join(PRESETS)}", {"field": "preset"}
            )
        cron = PRESETS[preset]
    assert cron is not None
    return Timing(check_cron(cron), check_timezone(timezone))


def check_cron(expression: str) -> str:
    """A 5-field expression, normalised to single spaces; a clear message when it is not one."""
    parts = expression.split()
    if len(parts) != len(FIELDS):
        raise InvalidInput(
            f"invalid cron {expression!r}: it needs 5 fields ({' '.join(FIELDS)}), "
            f"it has {len(parts)}",
            {"field": "cron"},
        )
    normal = " ".join(parts)
    try:
        CronSim(normal, datetime(2000, 1, 1, tzinfo=UTC))
    except CronSimError as exc:
        raise InvalidInput(
            f"invalid cron {expression!r}: {str(exc).lower()}", {"field": "cron"}
        ) from exc
    return normal


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(
            f"unknown timezone {name!r}: use an IANA name such as Europe/Paris or UTC",
            {"field": "timezone"},
        ) from exc
    return name
