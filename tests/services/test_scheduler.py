"""The scheduler on the real local executor: fairness, order, quotas, leaks, restarts, replicas."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from atrium.server.settings import Settings
from atrium.server.store.db import Database
from atrium.server.store.tables import JobAttemptRow, ReservationRow
from tests.api.jobs_helpers import (
    TERMINAL,
    drive,
    finish,
    get,
    make_app,
    submit,
    usage,
)
from tests.conftest import FakeClock, World, login


@pytest.fixture
def app(settings: Settings, database: Database, clock: FakeClock) -> FastAPI:
    return make_app(settings, database, clock)


def _admission_order(app: FastAPI) -> list[tuple[int, int]]:
    """(job id, group id) of every attempt, in the order they were admitted."""
    with app.state.hub.db.read() as s:
        rows = s.scalars(select(JobAttemptRow).order_by(JobAttemptRow.id)).all()
        return [(r.job_id, r.group_id) for r in rows]


def _all_done(world: World, ids: list[int], group: str = "ml") -> bool:
    client = world.admin
    return all(get(client, i, group)["status"] in TERMINAL for i in ids)


def _groups(app: FastAPI, world: World, names: list[str]) -> dict[str, int]:
    for name in names:
        if name not in ("ml", "bio"):
            assert world.admin.post("/api/v1/groups", json={"name": name}).status_code == 201
    hub = app.state.hub
    return {name: hub.quotas.group_id(name) for name in names}


def test_three_groups_share_two_slots_fairly(app: FastAPI, world: World) -> None:
    """A submits 8 jobs, then B 4, then C 1: C does not wait behind A's queue, and A and B
    alternate while both have work, although A queued first."""
    ids = _groups(app, world, ["ml", "bio", "cv"])
    a = [submit(world.admin, "sleep 0.05", "ml") for _ in range(8)]
    b = [submit(world.admin, "sleep 0.05", "bio") for _ in range(4)]
    c = [submit(world.admin, "sleep 0.05", "cv")]
    drive(app, lambda: all(_all_done(world, j, g) for j, g in ((a, "ml"), (b, "bio"), (c, "cv"))))
    order = [group for _, group in _admission_order(app)]
    assert ids["cv"] in order[:3]  # served within the first round
    a_and_b = [g for g in order if g != ids["cv"]][:8]  # B runs out after its 4th
    assert a_and_b.count(ids["ml"]) == a_and_b.count(ids["bio"]) == 4
    running_a = running_b = 0
    for group in a_and_b:
        running_a += group == ids["ml"]
        running_b += group == ids["bio"]
        assert abs(running_a - running_b) <= 1, order


def test_priority_then_fifo_within_a_group(app: FastAPI, world: World) -> None:
    low = submit(world.bob, "true", priority=-5)
    first = submit(world.bob, "true")
    second = submit(world.bob, "true")
    urgent = submit(world.bob, "true", priority=10)
    drive(app, lambda: _all_done(world, [low, first, second, urgent]))
    assert [job for job, _ in _admission_order(app)] == [urgent, first, second, low]


def test_waiting_for_group_quota_says_so_and_releases(app: FastAPI, world: World) -> None:
    assert world.admin.patch("/api/v1/groups/ml/quota", json={"cpu": 1}).status_code == 200
    running = submit(world.bob, "sleep 300")
    waiting = submit(world.alice, "true")
    drive(app, lambda: get(world.bob, running)["status"] == "running")
    app.state.scheduler.run_once()
    assert get(world.bob, waiting)["reason"] == "waiting: group CPU quota 1/1 in use"
    world.bob.post(f"/api/v1/groups/ml/jobs/{running}/cancel")
    assert finish(app, world.bob, waiting)["status"] == "succeeded"
    assert usage(world.bob)["cpu"] == 0


def test_a_user_over_quota_does_not_block_the_others(app: FastAPI, world: World) -> None:
    limit = {"running_jobs": 1}
    assert world.alice.patch("/api/v1/groups/ml/members/bob/quota", json=limit).status_code == 200
    bob_1 = submit(world.bob, "sleep 300")
    bob_2 = submit(world.bob, "true")
    alice = submit(world.alice, "true")
    assert finish(app, world.alice, alice)["status"] == "succeeded"
    assert get(world.bob, bob_1)["status"] == "running"
    assert get(world.bob, bob_2)["reason"] == "waiting: bob's running jobs quota 1/1 in use"
    world.bob.post(f"/api/v1/groups/ml/jobs/{bob_1}/cancel")
    assert finish(app, world.bob, bob_2)["status"] == "succeeded"


def test_a_full_executor_makes_jobs_wait_for_capacity(app: FastAPI, world: World) -> None:
    first, second = submit(world.bob, "sleep 300"), submit(world.bob, "sleep 300")
    third = submit(world.bob, "true")
    drive(app, lambda: get(world.bob, second)["status"] == "running")
    assert get(world.bob, third)["reason"] == "waiting: executor capacity"
    for job in (first, second):
        world.bob.post(f"/api/v1/groups/ml/jobs/{job}/cancel")
    assert finish(app, world.bob, third)["status"] == "succeeded"


def _active_reservations(app: FastAPI) -> list[str]:
    with app.state.hub.db.read() as s:
        rows = s.scalars(select(ReservationRow).where(ReservationRow.active)).all()
        return [r.holder for r in rows if r.holder.startswith("job:")]


def test_no_quota_leaks_whatever_the_end(app: FastAPI, world: World, clock: FakeClock) -> None:
    ok = submit(world.bob, "true")
    failed = submit(world.bob, "exit 1")
    timed_out = submit(world.bob, "sleep 300", timeout_seconds=10)
    cancelled = submit(world.bob, "sleep 300")
    drive(app, lambda: get(world.bob, cancelled)["status"] == "running")
    world.bob.post(f"/api/v1/groups/ml/jobs/{cancelled}/cancel")
    clock.advance(seconds=11)
    jobs = [ok, failed, timed_out, cancelled]
    drive(app, lambda: _all_done(world, jobs))
    states = [get(world.bob, j)["status"] for j in jobs]
    assert states == ["succeeded", "failed", "timed_out", "cancelled"]
    assert _active_reservations(app) == []
    used = usage(world.bob)
    assert (used["cpu"], used["memory"], used["running_jobs"]) == (0, 0, 0)


def test_a_command_that_cannot_start_fails_and_releases(app: FastAPI, world: World) -> None:
    job = submit(world.bob, ["/no/such/program"])
    done = finish(app, world.bob, job)
    assert done["status"] == "failed", done
    assert _active_reservations(app) == []


def test_a_launch_that_fails_fails_the_attempt_and_releases(
    app: FastAPI, world: World, settings: Settings
) -> None:
    settings.jobs_dir.parent.mkdir(parents=True, exist_ok=True)
    settings.jobs_dir.write_text("not a directory")  # no attempt directory can be made
    job = submit(world.bob, "true", max_retries=1)
    done = finish(app, world.bob, job)
    assert done["status"] == "failed" and done["reason"].startswith("launch failed:")
    assert len(done["attempts"]) == 2
    assert _active_reservations(app) == []


def _restart(settings: Settings, database: Database, clock: FakeClock) -> FastAPI:
    """A new server process on the same database: new hub, new executor instance."""
    return make_app(settings, database, clock)


def test_a_restarted_server_reattaches_running_jobs(
    app: FastAPI, world: World, settings: Settings, database: Database, clock: FakeClock
) -> None:
    job = submit(world.bob, "sleep 0.5; echo done")
    drive(app, lambda: get(world.bob, job)["status"] == "running")
    app.state.hub.job_monitor.runtime.executor.close()
    second = _restart(settings, database, clock)
    bob = login(second, "bob", "bob-pass-123")
    done = finish(second, bob, job)
    assert (done["status"], done["reason"]) == ("succeeded", None)
    assert bob.get(f"/api/v1/groups/ml/jobs/{job}/logs").text == "done\n"


def test_a_job_gone_while_the_server_was_down_is_lost(
    app: FastAPI, world: World, settings: Settings, database: Database, clock: FakeClock
) -> None:
    job = submit(world.bob, "echo $$ > $ATRIUM_ARTIFACTS_DIR/../pid; exec sleep 300")
    drive(app, lambda: get(world.bob, job)["status"] == "running")
    pid_file = settings.jobs_dir / f"{job}-1" / "pid"
    drive(app, lambda: pid_file.exists() and pid_file.read_text().strip() != "")
    # The machine rebooted, say: the job and its supervisor vanish without a word.
    pid = int(pid_file.read_text())
    shim = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    os.kill(shim, signal.SIGKILL)
    os.kill(pid, signal.SIGKILL)
    second = _restart(settings, database, clock)
    bob = login(second, "bob", "bob-pass-123")
    done = finish(second, bob, job)
    assert done["status"] == "failed" and done["reason"].startswith("lost")
    assert _active_reservations(second) == []


def test_an_attempt_admitted_but_never_launched_is_lost_at_restart(
    app: FastAPI, world: World, settings: Settings, database: Database, clock: FakeClock
) -> None:
    job = submit(world.bob, "true")
    assert len(app.state.hub.job_admission.admit()) == 1  # then the server died
    second = _restart(settings, database, clock)
    second.state.scheduler.start()  # start-up recovery on a single-writer database
    try:
        bob = login(second, "bob", "bob-pass-123")
        deadline = time.monotonic() + 10
        while get(bob, job)["status"] not in TERMINAL and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        second.state.scheduler.stop()
    done = get(bob, job)
    if database.dialect == "sqlite":
        assert (done["status"], done["reason"]) == ("failed", "lost: never launched")
        assert _active_reservations(second) == []
    else:  # another replica might still be launching it: it waits out the launch grace
        assert done["status"] == "admitted"


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_schedulers_never_launch_a_job_twice(
    app: FastAPI, world: World, settings: Settings, database: Database, clock: FakeClock
) -> None:
    other = make_app(settings, Database(settings.resolved_database_url, pool_size=5), clock)
    ids = [submit(world.bob, "true") for _ in range(16)]
    stop = threading.Event()
    errors: list[BaseException] = []

    def loop(replica: FastAPI) -> None:
        try:
            while not stop.is_set():
                replica.state.scheduler.run_once()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=loop, args=(r,)) for r in (app, other)]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 60
        while not _all_done(world, ids) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == []
    assert [get(world.bob, j)["status"] for j in ids] == ["succeeded"] * len(ids)
    assert sorted(j for j, _ in _admission_order(app)) == sorted(ids)  # one attempt each
    assert _active_reservations(app) == []
    other.state.hub.db.dispose()
