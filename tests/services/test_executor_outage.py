"""An executor that cannot be asked for a while does not turn running jobs into lost ones."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from atrium.server.app import create_app
from atrium.server.backends.executors import ExecutorError, LocalExecutor, Observation
from atrium.server.services import job_monitor
from atrium.server.settings import Settings
from atrium.server.store.db import Database
from atrium.server.store.tables import JobAttemptRow
from tests.api.jobs_helpers import TWO_SLOTS, drive, finish, get, submit
from tests.conftest import FakeClock, World


class FlakyExecutor(LocalExecutor):
    """The real local executor, whose answers can be cut off like a restarting Ray head."""

    down = False

    def poll(self, handle: str) -> Observation:
        if self.down:
            raise ExecutorError("connection refused")
        return super().poll(handle)


@pytest.fixture
def executor() -> FlakyExecutor:
    return FlakyExecutor(capacity=TWO_SLOTS, kill_grace=1, cgroups="never")


@pytest.fixture
def app(
    settings: Settings, database: Database, clock: FakeClock, executor: FlakyExecutor
) -> FastAPI:
    application = create_app(settings, db=database, clock=clock, executor=executor)
    application.state.hub.bootstrap(settings.admin_password)
    return application


def test_a_short_outage_is_ridden_out(app: FastAPI, world: World, executor: FlakyExecutor) -> None:
    job = submit(world.bob, "sleep 0.3; echo survived")
    drive(app, lambda: get(world.bob, job)["status"] == "running")
    executor.down = True
    for _ in range(5):
        app.state.scheduler.run_once()
    assert get(world.bob, job)["status"] == "running"
    executor.down = False
    done = finish(app, world.bob, job)
    assert (done["status"], done["reason"]) == ("succeeded", None)


def test_a_long_outage_loses_the_job_and_releases(
    app: FastAPI, world: World, executor: FlakyExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(job_monitor, "UNREACHABLE_GRACE", 0.2)
    job = submit(world.bob, "sleep 30")
    drive(app, lambda: get(world.bob, job)["status"] == "running")
    executor.down = True
    done = finish(app, world.bob, job)
    assert done["status"] == "failed"
    assert (
        done["reason"].startswith("lost: executor unreachable")
        and "connection refused" in done["reason"]
    )
    usage = world.bob.get("/api/v1/groups/ml/usage").json()["resources"]
    assert usage["cpu"]["used"] == 0
    executor.down = False
    with app.state.hub.db.read() as s:  # the process itself outlived the outage: clean up
        handle = s.scalar(select(JobAttemptRow.handle).where(JobAttemptRow.job_id == job))
    executor.kill(handle)
