"""Driving jobs through the API with the app's real scheduler and a real local executor."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from atrium.server.app import create_app
from atrium.server.backends.executors.base import Resources
from atrium.server.backends.executors.local import LocalExecutor
from atrium.server.settings import Settings
from atrium.server.store.db import Database
from tests.conftest import FakeClock

JOBS = "/api/v1/groups/{group}/jobs"
TERMINAL = {"succeeded", "failed", "cancelled", "timed_out"}
#: Two cpu-1 jobs (1 CPU, 2 GiB) at a time.
TWO_SLOTS = Resources(cpu=2, memory_bytes=4 * 2**30)


def make_app(
    settings: Settings, database: Database, clock: FakeClock, capacity: Resources = TWO_SLOTS
) -> FastAPI:
    executor = LocalExecutor(capacity=capacity, kill_grace=1, cgroups="never")
    application = create_app(settings, db=database, clock=clock, executor=executor)
    application.state.hub.bootstrap(settings.admin_password)
    return application


def jobs(group: str = "ml") -> str:
    return JOBS.format(group=group)


def submit(client: TestClient, command: str | list[str], group: str = "ml", **spec: Any) -> int:
    r = client.post(jobs(group), json={"command": command, **spec})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def get(client: TestClient, job_id: int, group: str = "ml") -> dict[str, Any]:
    r = client.get(f"{jobs(group)}/{job_id}")
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def drive(app: FastAPI, until: Callable[[], bool], timeout: float = 30) -> None:
    """Run scheduler passes until ``until()`` holds."""
    scheduler = app.state.scheduler
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            pytest.fail("the scheduler did not get there in time")
        scheduler.run_once()
        time.sleep(0.005)


def finish(
    app: FastAPI, client: TestClient, job_id: int, group: str = "ml", timeout: float = 30
) -> dict[str, Any]:
    drive(app, lambda: get(client, job_id, group)["status"] in TERMINAL, timeout)
    return get(client, job_id, group)


def log_text(client: TestClient, job_id: int, group: str = "ml") -> str:
    r = client.get(f"{jobs(group)}/{job_id}/logs")
    assert r.status_code == 200, r.text
    return r.text


def usage(client: TestClient, group: str = "ml") -> dict[str, float]:
    resources = client.get(f"/api/v1/groups/{group}/usage").json()["resources"]
    return {name: item["used"] for name, item in resources.items()}


def alive(pid_file: Path) -> bool:
    pid = int(pid_file.read_text().strip())
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().split(b") ")[1][:1] not in (b"Z", b"X")
    except FileNotFoundError:
        return False
