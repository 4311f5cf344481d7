"""The schedule ticker with the real jobs service, scheduler and local executor; time is faked.

The FakeClock starts at 2026-11-27 12:00 UTC (13:00 in Paris). Nothing runs in the
background: each test moves the clock and calls ``run_once`` itself.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from atrium.server.services import schedule_ticks
from atrium.server.services.schedule_ticks import ScheduleTicks
from atrium.server.settings import Settings
from atrium.server.store.db import Database
from atrium.server.store.tables import JobRow, ScheduleRow
from atrium.server.workers.schedules import ScheduleTicker
from tests.api.jobs_helpers import finish, get, jobs, log_text, make_app
from tests.conftest import FakeClock, World

ML = "/api/v1/groups/ml/schedules"


@pytest.fixture
def app(settings: Settings, database: Database, clock: FakeClock) -> FastAPI:
    return make_app(settings, database, clock)


def tick(app: FastAPI, clock: FakeClock, to: datetime) -> int:
    clock.current = to
    return app.state.schedule_ticker.run_once()  # type: ignore[no-any-return]


def schedule(client: Any, name: str = "nightly", **body: Any) -> dict[str, Any]:
    timing = {} if "preset" in body else {"cron": "0 2 * * *"}
    payload = {"name": name, **timing, "timezone": "Europe/Paris", "job": {"command": "true"}}
    payload.update(body)
    r = client.post(ML, json=payload)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def history(client: Any, name: str = "nightly") -> list[dict[str, Any]]:
    r = client.get(f"{ML}/{name}/history")
    assert r.status_code == 200, r.text
    return r.json()["items"][::-1]  # type: ignore[no-any-return]


def state(client: Any, name: str = "nightly") -> dict[str, Any]:
    return client.get(f"{ML}/{name}").json()  # type: ignore[no-any-return]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_a_schedule_retrains_nightly(app: FastAPI, world: World, clock: FakeClock) -> None:
    """02:00 in Paris is 01:00 UTC in winter: three nights, three jobs, each run to the end."""
    body = {"command": ["python", "-c", "print('model trained')"], "name": "retrain"}
    schedule(world.bob, job=body)
    assert tick(app, clock, utc(2026, 11, 28, 0, 59)) == 0
    for night in (28, 29, 30):
        assert tick(app, clock, utc(2026, 11, night, 1, 0, 20)) == 1
        assert tick(app, clock, utc(2026, 11, night, 1, 0, 30)) == 0  # due once, ticked once
        job_id = history(world.bob)[-1]["job_id"]
        job = finish(app, world.bob, job_id)
        assert (job["status"], job["name"], job["created_by"]) == ("succeeded", "retrain", "bob")
        assert "model trained" in log_text(world.bob, job_id)
    runs = history(world.bob)
    assert [r["scheduled_for"] for r in runs] == [
        "2026-11-28T01:00:00Z",
        "2026-11-29T01:00:00Z",
        "2026-11-30T01:00:00Z",
    ]
    assert {(r["outcome"], r["trigger"], r["actor"]) for r in runs} == {
        ("submitted", "schedule", "bob")
    }
    now = state(world.bob)
    assert now["last_run"] == runs[-1] and now["next_runs"][0] == "2026-12-01T02:00:00+01:00"


def test_fall_back_night_submits_once(app: FastAPI, world: World, clock: FakeClock) -> None:
    clock.current = utc(2026, 10, 24, 12)
    schedule(world.bob, cron="30 2 * * *")
    moment, submitted = utc(2026, 10, 24, 22), 0
    while moment < utc(2026, 10, 25, 4):
        submitted += tick(app, clock, moment)
        moment += timedelta(minutes=15)
    assert submitted == 1
    assert [r["scheduled_for"] for r in history(world.bob)] == ["2026-10-25T00:30:00Z"]


def test_a_tick_is_skipped_while_the_previous_job_runs(
    app: FastAPI, world: World, clock: FakeClock
) -> None:
    schedule(world.bob, job={"command": "sleep 60"})
    tick(app, clock, utc(2026, 11, 28, 1))
    first = history(world.bob)[0]["job_id"]
    app.state.scheduler.run_once()  # admitted and launched on the local executor
    assert get(world.bob, first)["status"] in ("admitted", "running")
    tick(app, clock, utc(2026, 11, 29, 1))
    skipped = history(world.bob)[-1]
    assert skipped["outcome"] == "skipped" and skipped["job_id"] is None
    assert skipped["message"] in (
        f"skipped: previous job {first} still running",
        f"skipped: previous job {first} still admitted",
    )
    assert state(world.bob)["status"] == "active"  # busy is not a problem
    assert len(world.bob.get(jobs()).json()["items"]) == 1

    assert world.bob.post(f"{jobs()}/{first}/cancel").status_code == 200
    assert finish(app, world.bob, first)["status"] == "cancelled"
    tick(app, clock, utc(2026, 11, 30, 1))
    assert history(world.bob)[-1]["message"] == f"submitted job {first + 1}"


def test_broken_schedules_are_flagged_and_the_others_still_tick(
    app: FastAPI, world: World, clock: FakeClock, hub: Any
) -> None:
    admin = world.admin
    gpu = {"name": "gpu-8", "cpu": 1, "memory": "1Gi", "is_global": False, "groups": ["ml"]}
    assert admin.post("/api/v1/instance-types", json=gpu).status_code == 201
    assert world.alice.post("/api/v1/groups/ml/secrets", json={"name": "TOKEN", "value": "v"})
    schedule(world.bob, "a-gpu", job={"command": "true", "instance_type": "gpu-8"})
    schedule(world.bob, "b-secret", job={"command": "true", "secrets": ["TOKEN"]})
    schedule(world.bob, "c-fine")
    schedule(world.bob, "d-cron")
    with hub.db.write() as s:  # as if written by a version that accepted another dialect
        s.execute(update(ScheduleRow).where(ScheduleRow.name == "d-cron").values(cron="0 2 * *"))
    assert admin.delete("/api/v1/instance-types/gpu-8").status_code == 204
    assert world.alice.delete("/api/v1/groups/ml/secrets/TOKEN").status_code == 204

    assert tick(app, clock, utc(2026, 11, 28, 1)) == 4
    a, b, c, d = (state(world.bob, n) for n in ("a-gpu", "b-secret", "c-fine", "d-cron"))
    assert a["status"] == "invalid" and a["problem"].startswith("invalid: instance type 'gpu-8'")
    assert history(world.bob, "a-gpu")[-1]["outcome"] == "failed"
    assert b["status"] == "invalid" and "unknown secret(s): TOKEN" in b["problem"]
    assert c["status"] == "active" and c["last_run"]["outcome"] == "submitted"
    assert d["status"] == "invalid" and "invalid cron" in d["problem"] and d["next_runs"] == []
    assert a["next_runs"][0] == "2026-11-29T02:00:00+01:00"  # it will try again

    assert admin.post("/api/v1/instance-types", json=gpu).status_code == 201
    finish(app, world.bob, c["last_run"]["job_id"])
    assert tick(app, clock, utc(2026, 11, 29, 1)) == 3  # d-cron no longer has a next run
    healed = state(world.bob, "a-gpu")
    assert healed["status"] == "active" and healed["problem"] is None


def test_an_owner_who_left_is_flagged_until_someone_takes_over(
    app: FastAPI, world: World, clock: FakeClock
) -> None:
    schedule(world.bob)
    assert world.alice.delete("/api/v1/groups/ml/members/bob").status_code == 204
    tick(app, clock, utc(2026, 11, 28, 1))
    s = state(world.alice)
    assert s["problem"] == "skipped: its owner bob is no longer a member of ml"
    assert history(world.alice)[-1]["outcome"] == "skipped"
    assert world.alice.get(jobs()).json()["items"] == []

    taken = world.alice.patch(f"{ML}/nightly", json={"job": {"command": "true"}}).json()
    assert taken["owner"] == "alice" and taken["status"] == "active"
    tick(app, clock, utc(2026, 11, 29, 1))
    [job] = world.alice.get(jobs()).json()["items"]
    assert job["created_by"] == "alice"

    assert world.admin.patch("/api/v1/users/alice", json={"enabled": False}).status_code == 200
    finish(app, world.admin, job["id"])
    tick(app, clock, utc(2026, 11, 30, 1))
    assert state(world.admin)["problem"] == "skipped: its owner alice is disabled"


def test_missed_ticks_run_one_catch_up(app: FastAPI, world: World, clock: FakeClock) -> None:
    schedule(world.bob, "hourly", preset="hourly", timezone="UTC")
    assert tick(app, clock, utc(2026, 11, 27, 17, 30)) == 1  # down since 12:00: five missed
    [run] = history(world.bob, "hourly")
    assert run["scheduled_for"] == "2026-11-27T13:00:00Z"
    assert state(world.bob, "hourly")["next_runs"][0] == "2026-11-27T18:00:00Z"


def test_trigger_submits_now_as_the_caller(app: FastAPI, world: World, clock: FakeClock) -> None:
    before = schedule(world.bob)
    r = world.alice.post(f"{ML}/nightly/trigger")
    assert r.status_code == 201, r.text
    run = r.json()
    assert (run["trigger"], run["actor"], run["scheduled_for"]) == ("manual", "alice", None)
    assert get(world.bob, run["job_id"])["created_by"] == "alice"
    again = world.bob.post(f"{ML}/nightly/trigger")
    assert again.status_code == 409
    assert f"previous job {run['job_id']} still queued" in again.json()["error"]["message"]
    after = state(world.bob)
    assert after["next_runs"] == before["next_runs"] and after["owner"] == "bob"
    tick(app, clock, utc(2026, 11, 28, 1))  # the queued manual job blocks the nightly tick
    assert history(world.bob)[-1]["outcome"] == "skipped"


def test_history_pages_and_is_pruned(
    app: FastAPI, world: World, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schedule_ticks, "RUNS_KEPT", 3)
    schedule(world.bob, "hourly", preset="hourly", timezone="UTC", job={"command": "true"})
    for hour in range(13, 18):
        tick(app, clock, utc(2026, 11, 27, hour))
    first = world.bob.get(f"{ML}/hourly/history", params={"limit": 2}).json()
    second = world.bob.get(
        f"{ML}/hourly/history", params={"limit": 2, "cursor": first["next_cursor"]}
    ).json()
    times = [r["scheduled_for"][11:16] for r in first["items"] + second["items"]]
    assert times == ["17:00", "16:00", "15:00"] and second["next_cursor"] is None


def test_two_tickers_never_submit_a_tick_twice(
    app: FastAPI, world: World, clock: FakeClock, hub: Any, settings: Settings
) -> None:
    """Two replicas, each with its own connection pool, race over the same due schedules."""
    names = [f"s{i:02d}" for i in range(24)]
    for name in names:
        schedule(world.bob, name, preset="daily", timezone="UTC")
    clock.current = utc(2026, 11, 28, 0, 0, 5)
    other_db = Database(settings.resolved_database_url, pool_size=2)
    tickers = [
        app.state.schedule_ticker,
        ScheduleTicker(ScheduleTicks(other_db, hub.jobs), clock),
    ]
    start, counts = threading.Barrier(2), [0, 0]

    def race(i: int) -> None:
        start.wait()
        counts[i] = tickers[i].run_once()

    threads = [threading.Thread(target=race, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other_db.dispose()
    assert sum(counts) == len(names)
    with hub.db.read() as s:
        per_schedule = [len(history(world.bob, n)) for n in names]
        job_count = len(s.scalars(select(JobRow.id)).all())
    assert per_schedule == [1] * len(names) and job_count == len(names)


def test_start_and_stop_tick_in_the_background(
    app: FastAPI, world: World, clock: FakeClock
) -> None:
    schedule(world.bob, "hourly", preset="hourly")
    clock.current = utc(2026, 11, 27, 13)
    ticker: ScheduleTicker = app.state.schedule_ticker
    ticker.interval = 0.01
    ticker.start()
    try:
        deadline = datetime.now(UTC) + timedelta(seconds=20)
        while not history(world.bob, "hourly") and datetime.now(UTC) < deadline:
            threading.Event().wait(0.02)
    finally:
        ticker.stop()
    assert [r["outcome"] for r in history(world.bob, "hourly")] == ["submitted"]


def test_an_unexpected_error_fails_one_tick_not_the_ticker(
    app: FastAPI, world: World, clock: FakeClock, hub: Any
) -> None:
    schedule(world.bob, "a-odd")
    schedule(world.bob, "b-fine")
    tick(app, clock, utc(2026, 11, 28, 1))
    odd_job = history(world.bob, "a-odd")[-1]["job_id"]
    with hub.db.write() as s:  # a state no version of Atrium writes
        s.execute(update(JobRow).where(JobRow.id == odd_job).values(status="mystery"))
    finish(app, world.bob, history(world.bob, "b-fine")[-1]["job_id"])
    assert tick(app, clock, utc(2026, 11, 29, 1)) == 2
    odd = state(world.bob, "a-odd")
    assert odd["status"] == "invalid" and odd["problem"].startswith("failed: internal error")
    assert odd["next_runs"][0] == "2026-11-30T02:00:00+01:00"
    assert history(world.bob, "b-fine")[-1]["outcome"] == "submitted"
