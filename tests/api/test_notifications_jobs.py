"""Real jobs on the real local executor end, and their submitters hear about it.

The first test runs the whole server as deployed: the app's lifespan starts the scheduler and
the notification worker, the job ends in the scheduler's thread, and the signed webhook
reaches a receiver on loopback with nothing driven by hand.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from atrium.server.settings import Settings
from atrium.server.store.db import Database
from atrium.server.workers.notifications import NotificationWorker
from tests.api.jobs_helpers import finish, get, jobs, make_app, submit
from tests.conftest import FakeClock, World
from tests.notify_receivers import (
    WebhookReceiver,
    receiver_fixture,  # noqa: F401 - the ``receiver`` fixture
    verify,
)

CHANNELS = "/api/v1/me/notification-channels"


@pytest.fixture
def app(settings: Settings, database: Database, clock: FakeClock) -> FastAPI:
    return make_app(settings, database, clock)


def _webhook(client: TestClient, url: str, events: list[str]) -> dict[str, Any]:
    r = client.post(CHANNELS, json={"kind": "webhook", "url": url, "events": events})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_a_failing_job_sends_a_signed_webhook_through_the_running_server(
    app: FastAPI, world: World, receiver: WebhookReceiver
) -> None:
    made = _webhook(world.bob, receiver.url, ["failed"])
    with TestClient(app):  # the lifespan: scheduler and notification worker running
        job_id = submit(world.bob, "echo boom; exit 3", name="train", env={"PASSWORD": "pw-42"})
        [hook] = receiver.wait_for(1, timeout=30)
    assert verify(made["secret"], hook.headers, hook.body)
    assert hook.headers["x-atrium-event"] == "job.ended"
    job = get(world.bob, job_id)
    sent = hook.json["job"]
    assert (sent["id"], sent["status"], sent["exit_code"], sent["name"]) == (
        job_id,
        "failed",
        3,
        "train",
    )
    assert (sent["reason"], sent["created_by"], sent["group"]) == (job["reason"], "bob", "ml")
    assert sent["ended_at"] == job["ended_at"].replace("Z", "+00:00")
    assert b"pw-42" not in hook.body and b"boom" not in hook.body  # no env, no log, no command


def test_a_retried_job_is_reported_once_when_it_finally_ends(
    app: FastAPI, world: World, receiver: WebhookReceiver
) -> None:
    made = _webhook(world.bob, receiver.url, ["failed"])
    job_id = submit(world.bob, "exit 1", max_retries=2)
    done = finish(app, world.bob, job_id)
    assert done["status"] == "failed" and len(done["attempts"]) == 3
    worker = NotificationWorker(app.state.hub.notifications.dispatcher, app.state.hub.clock)
    assert worker.run_once() == 1
    [delivery] = world.bob.get(f"{CHANNELS}/{made['id']}/deliveries").json()["items"]
    assert (delivery["job_id"], delivery["status"]) == (job_id, "sent")


def test_cancelling_a_queued_job_notifies_its_submitter(
    app: FastAPI, world: World, receiver: WebhookReceiver
) -> None:
    """Cancelled before the scheduler saw it: the job ends in the cancel call's transaction."""
    made = _webhook(world.bob, receiver.url, ["cancelled"])
    job_id = submit(world.bob, "sleep 60")
    r = world.alice.post(f"{jobs()}/{job_id}/cancel")  # alice, a group admin, cancels bob's job
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    worker = NotificationWorker(app.state.hub.notifications.dispatcher, app.state.hub.clock)
    assert worker.run_once() == 1
    [hook] = receiver.wait_for(1)
    assert verify(made["secret"], hook.headers, hook.body)
    assert (hook.json["job"]["status"], hook.json["job"]["reason"]) == (
        "cancelled",
        "cancelled by alice",
    )
