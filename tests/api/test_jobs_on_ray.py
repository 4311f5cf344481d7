"""The same jobs, through the same API, on a real two-node Ray cluster on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from atrium.server.app import create_app
from atrium.server.settings import Settings
from atrium.server.store.db import Database
from tests.api.jobs_helpers import drive, finish, get, jobs, log_text, submit, usage
from tests.conftest import FakeClock, World

pytestmark = [
    pytest.mark.xdist_group("ray"),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]


@pytest.fixture
def app(
    settings: Settings, database: Database, clock: FakeClock, ray_address: str
) -> Iterator[FastAPI]:
    from atrium.server.backends.executors.ray import RayExecutor

    executor = RayExecutor(ray_address, log_sync_interval=0.2)
    application = create_app(settings, db=database, clock=clock, executor=executor)
    application.state.hub.bootstrap(settings.admin_password)
    yield application
    executor.close()


def test_logs_artifacts_env_and_secrets_arrive_on_ray(app: FastAPI, world: World) -> None:
    assert (
        world.alice.post(
            "/api/v1/groups/ml/secrets", json={"name": "DB_PASSWORD", "value": "pa$$word"}
        ).status_code
        == 201
    )
    command = (
        'echo "on ray: $ATRIUM_GROUP job $ATRIUM_JOB_ID K=$K pw=${#DB_PASSWORD}"; '
        "mkdir -p $ATRIUM_ARTIFACTS_DIR/model && echo weights > $ATRIUM_ARTIFACTS_DIR/model/w.bin"
    )
    job = submit(world.bob, command, env={"K": "V"}, secrets=["DB_PASSWORD"])
    done = finish(app, world.bob, job, timeout=120)
    assert (done["status"], done["exit_code"]) == ("succeeded", 0), (
        done["reason"],
        log_text(world.bob, job),
    )
    assert done["attempts"][0]["executor"] == "ray"
    # The secret arrives intact ($ signs and all) and is never written to the log. Ray itself
    # adds lines of its own (runtime env set-up, the entrypoint) before the job's output.
    log = log_text(world.bob, job)
    assert log.endswith(f"\non ray: ml job {job} K=V pw=8\n") and "pa$$word" not in log
    listed = world.bob.get(f"{jobs()}/{job}/artifacts").json()["items"]
    assert [(a["path"], a["size"]) for a in listed] == [("model/w.bin", 8)]
    assert usage(world.bob)["cpu"] == 0 and usage(world.bob)["running_jobs"] == 0


def test_failures_and_cancels_on_ray(app: FastAPI, world: World) -> None:
    failing = submit(world.bob, "echo bad; exit 3")
    sleeping = submit(world.bob, "sleep 300")
    assert finish(app, world.bob, failing, timeout=120)["status"] == "failed"
    drive(app, lambda: get(world.bob, sleeping)["status"] == "running", timeout=120)
    assert world.bob.post(f"{jobs()}/{sleeping}/cancel").status_code == 200
    cancelled = finish(app, world.bob, sleeping, timeout=120)
    assert cancelled["status"] == "cancelled" and cancelled["reason"] == "cancelled by bob"
    assert usage(world.bob)["cpu"] == 0
