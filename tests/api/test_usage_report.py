"""GET /api/v1/usage-report: scope by role, JSON and CSV, bad input."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from atrium.server.domain.usage import GIB
from atrium.server.store import groups as group_store
from atrium.server.store import users as user_store
from atrium.server.store.tables import JobAttemptRow, JobRow
from tests.conftest import World

URL = "/api/v1/usage-report"
T0 = datetime(2026, 11, 10, 8, tzinfo=UTC)


def held(hub: Any, group: str, user: str, hours: float, cpu: float = 2, gpu: int = 0) -> None:
    """An ended attempt that held ``cpu`` cores and 4 GiB for ``hours`` (test data, not a run)."""
    with hub.db.write() as s:
        g = group_store.by_name(s, group)
        u = user_store.by_username(s, user)
        assert g is not None and u is not None
        end = T0 + timedelta(hours=hours)
        job = JobRow(
            group_id=g.id, user_id=u.id, created_by=user, name="train", status="succeeded",
            spec={}, instance_type="cpu-1", cpu=cpu, memory=4 * GIB, gpu=gpu, priority=0,
            max_retries=0, attempts=1, created_at=T0, ended_at=end,
        )  # fmt: skip
        s.add(job)
        s.flush()
        s.add(
            JobAttemptRow(
                job_id=job.id, number=1, group_id=g.id, user_id=u.id, status="succeeded",
                executor="local", cpu=cpu, memory=4 * GIB, gpu=gpu, admitted_at=T0,
                started_at=T0, ended_at=end,
            )
        )  # fmt: skip


def lines(response: Any) -> list[tuple[str, str | None, float, float, float, int]]:
    assert response.status_code == 200, response.text
    fields = ("group", "user", "cpu_core_hours", "memory_gb_hours", "gpu_hours", "attempts")
    return [tuple(x[f] for f in fields) for x in response.json()["lines"]]  # type: ignore[misc]


def test_scope_follows_the_callers_role(world: World, hub: Any) -> None:
    held(hub, "ml", "bob", hours=1.5)
    held(hub, "ml", "alice", hours=2, gpu=1)
    held(hub, "bio", "carol", hours=3)
    everything = world.admin.get(URL, params={"month": "2026-11"})
    assert lines(everything) == [
        ("bio", "carol", 6.0, 12.0, 0.0, 1),
        ("ml", "alice", 4.0, 8.0, 2.0, 1),
        ("ml", "bob", 3.0, 6.0, 0.0, 1),
    ]
    assert everything.json()["groups"][1] == {
        "group": "ml", "user": None, "cpu_core_hours": 7.0, "memory_gb_hours": 14.0,
        "gpu_hours": 2.0, "attempts": 2,
    }  # fmt: skip
    assert [x[1] for x in lines(world.alice.get(URL, params={"month": "2026-11"}))] == [
        "alice",
        "bob",
    ]  # group admin of ml: all of ml, nothing of bio
    assert [x[1] for x in lines(world.bob.get(URL, params={"month": "2026-11"}))] == ["bob"]
    assert lines(world.dave.get(URL, params={"month": "2026-11"})) == []
    assert world.dave.get(URL, params={"group": "ml"}).status_code == 404
    assert lines(world.admin.get(URL, params={"month": "2026-10"})) == []


def test_csv_has_a_header_and_one_row_per_user(world: World, hub: Any) -> None:
    held(hub, "ml", "bob", hours=0.5, cpu=4)
    r = world.admin.get(URL, params={"month": "2026-11", "format": "csv", "group": "ml"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="atrium-usage-2026-11.csv"' in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows == [
        ["group", "user", "cpu_core_hours", "memory_gb_hours", "gpu_hours", "attempts"],
        ["ml", "bob", "2.0", "2.0", "0.0", "1"],
    ]


def test_bad_input_gets_the_error_envelope(world: World) -> None:
    for params in ({"month": "2026-13"}, {"month": "nov"}, {"format": "xml"}):
        r = world.admin.get(URL, params=params)
        assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error", params
    assert world.admin.get(URL, params={"group": "nope"}).status_code == 404
