"""The one source of "now". Tests replace ``Clock.now`` to move time."""

from __future__ import annotations

from datetime import UTC, datetime


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)
