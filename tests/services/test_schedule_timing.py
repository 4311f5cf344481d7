"""Cron and preset timing: next runs in a timezone, DST nights, month ends, bad expressions."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from atrium.server.domain.errors import InvalidInput
from atrium.server.domain.schedules import Timing, timing

PARIS = ZoneInfo("Europe/Paris")


def local(t: Timing, after: datetime, count: int) -> list[str]:
    return [r.isoformat() for r in t.upcoming(after, count)]


def test_presets_expand_to_cron() -> None:
    start = datetime(2026, 11, 27, 12, 30, tzinfo=UTC)  # a Friday
    assert local(timing(None, "hourly", "UTC"), start, 2) == [
        "2026-11-27T13:00:00+00:00",
        "2026-11-27T14:00:00+00:00",
    ]
    assert local(timing(None, "daily", "UTC"), start, 1) == ["2026-11-28T00:00:00+00:00"]
    assert local(timing(None, "weekly", "UTC"), start, 1) == ["2026-11-29T00:00:00+00:00"]
    assert local(timing(None, "monthly", "UTC"), start, 2) == [
        "2026-12-01T00:00:00+00:00",
        "2027-01-01T00:00:00+00:00",
    ]
    assert timing(None, "daily", "Europe/Paris").cron == "0 0 * * *"


def test_nightly_is_local_time_and_strictly_after() -> None:
    nightly = timing("0 2 * * *", None, "Europe/Paris")
    at_two = datetime(2026, 11, 28, 2, 0, tzinfo=PARIS)
    assert nightly.next_after(at_two) == datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
    assert nightly.next_after(at_two - timedelta(seconds=1)) == datetime(
        2026, 11, 28, 1, 0, tzinfo=UTC
    )
    tokyo = timing("0 2 * * *", None, "Asia/Tokyo")
    assert tokyo.next_after(at_two) == datetime(2026, 11, 28, 17, 0, tzinfo=UTC)


def test_spring_forward_runs_a_missing_time_right_after_the_gap() -> None:
    """Paris skips 02:00-03:00 on 2026-03-29: the 02:30 job runs at 03:00, then as usual."""
    t = timing("30 2 * * *", None, "Europe/Paris")
    assert local(t, datetime(2026, 3, 28, 12, tzinfo=UTC), 3) == [
        "2026-03-29T03:00:00+02:00",
        "2026-03-30T02:30:00+02:00",
        "2026-03-31T02:30:00+02:00",
    ]


def test_fall_back_runs_a_nightly_job_once() -> None:
    """Paris lives 02:00-03:00 twice on 2026-10-25; a nightly retrain must not run twice."""
    t = timing("30 2 * * *", None, "Europe/Paris")
    runs = t.upcoming(datetime(2026, 10, 24, 12, tzinfo=UTC), 3)
    assert [r.isoformat() for r in runs] == [
        "2026-10-25T02:30:00+02:00",
        "2026-10-26T02:30:00+01:00",
        "2026-10-27T02:30:00+01:00",
    ]
    after_first = runs[0].astimezone(UTC) + timedelta(minutes=30)  # 02:00+01:00, the repeat
    assert t.next_after(after_first) == datetime(2026, 10, 26, 1, 30, tzinfo=UTC)


def test_ticking_minute_by_minute_through_the_repeated_hour_fires_once() -> None:
    t = timing("30 2 * * *", None, "Europe/Paris")
    moment, fired = datetime(2026, 10, 24, 23, 0, tzinfo=UTC), []
    while moment < datetime(2026, 10, 25, 4, 0, tzinfo=UTC):
        nxt = t.next_after(moment)
        assert nxt is not None and nxt > moment
        if nxt <= moment + timedelta(minutes=1):
            fired.append(nxt)
        moment += timedelta(minutes=1)
    assert fired == [datetime(2026, 10, 25, 0, 30, tzinfo=UTC)]


def test_hourly_follows_real_hours_across_both_transitions() -> None:
    hourly = timing(None, "hourly", "Europe/Paris")
    fall = hourly.upcoming(datetime(2026, 10, 24, 22, tzinfo=UTC), 25)
    spring = hourly.upcoming(datetime(2026, 3, 28, 23, tzinfo=UTC), 23)
    for runs in (fall, spring):
        gaps = {b.astimezone(UTC) - a.astimezone(UTC) for a, b in itertools.pairwise(runs)}
        assert gaps == {timedelta(hours=1)}
    assert len({r.astimezone(UTC) for r in fall}) == 25  # 02:00 twice, as two real hours


def test_new_york_changes_on_its_own_dates() -> None:
    t = timing("0 9 * * *", None, "America/New_York")
    utc = [r.astimezone(UTC).hour for r in t.upcoming(datetime(2026, 3, 7, tzinfo=UTC), 3)]
    assert utc == [14, 13, 13]  # EST until Sunday 2026-03-08, then EDT


def test_month_ends_and_leap_days() -> None:
    start = datetime(2026, 1, 15, tzinfo=UTC)
    on_31st = timing("0 0 31 * *", None, "UTC").upcoming(start, 4)
    assert [r.month for r in on_31st] == [1, 3, 5, 7]
    last_day = timing("0 0 L * *", None, "UTC").upcoming(start, 3)
    assert [(r.month, r.day) for r in last_day] == [(1, 31), (2, 28), (3, 31)]
    leap = timing("0 0 29 2 *", None, "UTC").upcoming(start, 2)
    assert [r.year for r in leap] == [2028, 2032]


def test_day_of_month_and_weekday_follow_cron_or_rule() -> None:
    """Both restricted: either matches (the 13th, or any Friday), as in every cron."""
    runs = timing("0 0 13 * 5", None, "UTC").upcoming(datetime(2026, 11, 1, tzinfo=UTC), 4)
    assert [r.day for r in runs] == [6, 13, 20, 27]
    names = timing("0 8 * * MON-FRI", None, "UTC").upcoming(datetime(2026, 11, 27, tzinfo=UTC), 2)
    assert [r.strftime("%a") for r in names] == ["Fri", "Mon"]


@pytest.mark.parametrize(
    ("cron", "preset", "zone", "message"),
    [
        ("* * * *", None, "UTC", "needs 5 fields"),
        ("0 * * * * *", None, "UTC", "it has 6"),
        ("61 * * * *", None, "UTC", "bad minute"),
        ("0 24 * * *", None, "UTC", "bad hour"),
        ("0 0 30 2 *", None, "UTC", "bad day-of-month"),
        ("0 0 * 13 *", None, "UTC", "bad month"),
        ("@daily", None, "UTC", "needs 5 fields"),
        ("0 2 * * *", None, "Mars/Olympus", "unknown timezone"),
        ("0 2 * * *", None, "../../etc/passwd", "unknown timezone"),
        (None, "fortnightly", "UTC", "unknown preset"),
        ("0 2 * * *", "daily", "UTC", "either"),
        (None, None, "UTC", "either"),
    ],
)
def test_bad_timing_is_refused_with_a_clear_message(
    cron: str | None, preset: str | None, zone: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        timing(cron, preset, zone)


def test_cron_is_normalised() -> None:
    assert timing("  0   2 * *\t* ", None, "UTC").cron == "0 2 * * *"


field = st.one_of(
    st.just("*"), st.integers(0, 23).map(str), st.integers(2, 12).map(lambda n: f"*/{n}")
)


@given(
    minute=st.one_of(st.just("*/15"), st.integers(0, 59).map(str)),
    hour=field,
    zone=st.sampled_from(["UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe"]),
    start=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    ),
)
def test_next_runs_always_move_forward(minute: str, hour: str, zone: str, start: datetime) -> None:
    t = timing(f"{minute} {hour} * * *", None, zone)
    runs = [r.astimezone(UTC) for r in t.upcoming(start, 6)]
    assert len(runs) == 6
    assert start < runs[0]
    assert all(a < b for a, b in itertools.pairwise(runs))
    assert t.next_after(start) == runs[0]
