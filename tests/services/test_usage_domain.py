"""Allocation-hours arithmetic: month boundaries, open intervals, grouping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from atrium.server.domain.errors import InvalidInput
from atrium.server.domain.usage import GIB, Allocation, aggregate, parse_month

NOV = parse_month("2026-11", datetime(2030, 1, 1, tzinfo=UTC))
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def alloc(user: str, start: datetime, end: datetime | None, group: str = "ml") -> Allocation:
    return Allocation(group, user, cpu=2, memory_bytes=4 * GIB, gpu=1, start=start, end=end)


def test_months_are_utc_intervals_and_december_rolls_over() -> None:
    dec = parse_month("2026-12", NOW)
    assert (dec.start, dec.end) == (
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert parse_month(None, NOW).label == "2026-11"
    for bad in ("2026-13", "2026-1", "26-11", "2026-11-01", ""):
        with pytest.raises(InvalidInput):
            parse_month(bad, NOW)


def test_intervals_are_clipped_to_the_month_and_to_now() -> None:
    day = timedelta(days=1)
    rows = aggregate(
        [
            alloc("bob", NOV.start - day, NOV.start + timedelta(hours=3)),  # 3 h inside
            alloc("bob", NOV.start + day, NOV.start + day + timedelta(hours=1)),  # 1 h
            alloc("amy", NOW - timedelta(hours=2), None),  # still running: 2 h so far
            alloc("amy", NOV.end, None),  # starts after the month: nothing
            alloc("cid", NOV.start - 2 * day, NOV.start - day),  # ended before: nothing
        ],
        NOV,
        NOW,
    )
    assert [
        (r.user, r.cpu_core_hours, r.memory_gb_hours, r.gpu_hours, r.attempts) for r in rows
    ] == [
        ("amy", 4.0, 8.0, 2.0, 1),
        ("bob", 8.0, 16.0, 4.0, 2),
    ]


def test_a_past_month_counts_open_intervals_to_its_end() -> None:
    october = parse_month("2026-10", NOW)
    [row] = aggregate([alloc("bob", october.end - timedelta(hours=5), None)], october, NOW)
    assert row.cpu_core_hours == pytest.approx(10.0)
