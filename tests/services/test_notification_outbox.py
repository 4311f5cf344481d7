"""The notification outbox and its worker, on both dialects, with real receivers on loopback.

Jobs are ended here the way the jobs service ends them: the job row reaches its final state
and ``job_ended_in`` runs in that same transaction. Time is the FakeClock's; the worker is
driven with ``run_once`` (and, for the two-replica test, two dispatchers in threads).
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from atrium.server.app import create_app
from atrium.server.backends.notify import Outgoing
from atrium.server.domain.notifications import NO_SMTP
from atrium.server.services.hub import Hub
from atrium.server.services.notifications import notification_service
from atrium.server.settings import Settings
from atrium.server.store import groups as group_store
from atrium.server.store import users as user_store
from atrium.server.store.db import Database
from atrium.server.store.tables import JobRow
from atrium.server.workers.notifications import NotificationWorker
from tests.conftest import FakeClock, World
from tests.notify_receivers import (
    Mailbox,
    WebhookReceiver,
    mailbox_fixture,  # noqa: F401 - the ``mailbox`` fixture
    receiver_fixture,  # noqa: F401 - the ``receiver`` fixture
    smtp_settings,
    verify,
)

CHANNELS = "/api/v1/me/notification-channels"


@pytest.fixture
def settings(tmp_path: Path, db_url: str, mailbox: Mailbox) -> Settings:
    return smtp_settings(tmp_path / "home", db_url, mailbox)


def worker(hub: Hub) -> NotificationWorker:
    return NotificationWorker(hub.notifications.dispatcher, hub.clock)


def end_job(
    hub: Hub, username: str, status: str, *, group: str = "ml", reason: str | None = None
) -> int:
    """Insert a job of ``username`` that has just ended, and run the hook in that transaction."""
    now = hub.clock.now()
    with hub.db.write() as s:
        user = user_store.by_username(s, username)
        g = group_store.by_name(s, group)
        assert user is not None and g is not None
        job = JobRow(
            group_id=g.id, user_id=user.id, created_by=username, name="train", status=status,
            reason=reason, spec={"command": "python train.py", "env": {"API_KEY": "hush"}},
            instance_type="cpu-1", cpu=1, memory=2**30, gpu=0, priority=0, timeout_seconds=None,
            max_retries=0, attempts=1, exit_code=1 if status == "failed" else None,
            cancel_requested=False, created_at=now - timedelta(minutes=5),
            started_at=now - timedelta(minutes=4), ended_at=now,
        )  # fmt: skip
        s.add(job)
        s.flush()
        hub.notifications.job_ended_in(s, job)
        return job.id


def channel(client: Any, **body: Any) -> dict[str, Any]:
    r = client.post(CHANNELS, json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def deliveries(client: Any, channel_id: str) -> list[dict[str, Any]]:
    return client.get(f"{CHANNELS}/{channel_id}/deliveries").json()["items"]  # type: ignore[no-any-return]


def test_a_job_end_queues_one_message_per_matching_channel(
    hub: Hub, world: World, receiver: WebhookReceiver
) -> None:
    url = receiver.url
    failed = channel(world.bob, kind="webhook", url=url, events=["failed"])
    ml_only = channel(world.bob, kind="webhook", url=url, events=["failed"], group="ml")
    quiet = [
        channel(world.bob, kind="webhook", url=url, events=["succeeded"]),
        channel(world.bob, kind="webhook", url=url, group="ml", enabled=False),
        channel(world.alice, kind="webhook", url=url),  # not alice's job
    ]
    world.admin.post("/api/v1/groups/bio/members", json={"username": "bob", "role": "member"})
    quiet.append(channel(world.bob, kind="webhook", url=url, group="bio"))  # another group

    end_job(hub, "bob", "failed", reason="exit code 1")
    assert [len(deliveries(world.bob, c["id"])) for c in (failed, ml_only)] == [1, 1]
    for c in quiet:
        owner = world.alice if c is quiet[2] else world.bob
        assert deliveries(owner, c["id"]) == []
    assert end_job(hub, "bob", "succeeded") and len(deliveries(world.bob, quiet[0]["id"])) == 1


def test_the_outbox_survives_a_crash_between_job_end_and_sending(
    app: FastAPI, settings: Settings, clock: FakeClock, world: World, receiver: WebhookReceiver
) -> None:
    made = channel(world.bob, kind="webhook", url=receiver.url, events=["failed", "timed_out"])
    job_id = end_job(app.state.hub, "bob", "timed_out", reason="timed out after 60 s")
    assert receiver.hooks == []  # the process "dies" here, before its worker ran

    restarted = Database(settings.resolved_database_url, pool_size=2)
    try:
        hub = create_app(settings, db=restarted, clock=clock).state.hub
        assert worker(hub).run_once() == 1
    finally:
        restarted.dispose()
    [hook] = receiver.wait_for(1)
    assert verify(made["secret"], hook.headers, hook.body)
    assert hook.headers["x-atrium-event"] == "job.ended"
    assert hook.headers["x-atrium-timestamp"] == str(int(clock.now().timestamp()))
    job = hook.json["job"]
    assert job == {
        "id": job_id,
        "group": "ml",
        "name": "train",
        "status": "timed_out",
        "reason": "timed out after 60 s",
        "exit_code": None,
        "created_by": "bob",
        "started_at": (clock.now() - timedelta(minutes=4)).isoformat(),
        "ended_at": clock.now().isoformat(),
        "url": f"http://127.0.0.1:8420/g/ml/jobs/{job_id}",
    }
    assert b"hush" not in hook.body and b"train.py" not in hook.body  # no env, no command
    [sent] = deliveries(world.bob, made["id"])
    assert (sent["status"], sent["attempts"], sent["job_id"]) == ("sent", 1, job_id)
    assert worker(app.state.hub).run_once() == 0  # sent once, never again


def test_a_rolled_back_job_end_sends_nothing(hub: Hub, world: World) -> None:
    made = channel(world.bob, kind="webhook", url="http://127.0.0.1:9/")
    job_id = end_job(hub, "bob", "failed")
    with pytest.raises(RuntimeError), hub.db.write() as s:
        job = s.get(JobRow, job_id)
        assert job is not None
        hub.notifications.job_ended_in(s, job)
        raise RuntimeError("the job's transaction fails after the hook ran")
    assert len(deliveries(world.bob, made["id"])) == 1  # only the committed end


def test_failures_back_off_exponentially_then_give_up(
    hub: Hub, clock: FakeClock, world: World, receiver: WebhookReceiver
) -> None:
    receiver.status = 500
    made = channel(world.bob, kind="webhook", url=receiver.url)
    end_job(hub, "bob", "failed")
    w = worker(hub)
    for attempt, wait in enumerate([30, 60, 120, 240, 480, 960, 1920], start=1):
        assert w.run_once() == 1, attempt
        [d] = deliveries(world.bob, made["id"])
        assert (d["status"], d["attempts"]) == ("pending", attempt)
        assert d["last_error"] == "the receiver answered HTTP 500"
        assert datetime.fromisoformat(d["next_attempt_at"]) == clock.now() + timedelta(seconds=wait)
        clock.advance(seconds=wait - 1)
        assert w.run_once() == 0, attempt  # not yet
        clock.advance(seconds=1)
    assert w.run_once() == 1  # the eighth and last try
    [d] = deliveries(world.bob, made["id"])
    assert (d["status"], d["attempts"], d["next_attempt_at"], d["sent_at"]) == (
        "failed",
        8,
        None,
        None,
    )
    receiver.status = 200
    clock.advance(hours=2)
    assert w.run_once() == 0 and len(receiver.hooks) == 8


class Dies:
    """A sender whose process is killed mid-send: nothing after the claim is recorded."""

    def send(self, message: Outgoing) -> None:
        raise KeyboardInterrupt


def test_a_worker_that_dies_mid_send_hands_over_when_its_lease_ends(
    hub: Hub, clock: FakeClock, world: World, receiver: WebhookReceiver
) -> None:
    made = channel(world.bob, kind="webhook", url=receiver.url)
    end_job(hub, "bob", "failed")
    dispatcher = hub.notifications.dispatcher
    senders = dispatcher.notifiers
    dispatcher.notifiers = {"webhook": Dies()}
    with pytest.raises(KeyboardInterrupt):
        worker(hub).run_once()
    dispatcher.notifiers = senders
    assert worker(hub).run_once() == 0  # still leased to the dead worker
    clock.advance(seconds=dispatcher.policy.lease.total_seconds())
    assert worker(hub).run_once() == 1
    [d] = deliveries(world.bob, made["id"])
    assert (d["status"], d["attempts"]) == ("sent", 2) and len(receiver.wait_for(1)) == 1


def test_two_workers_never_send_the_same_message_twice(
    settings: Settings, hub: Hub, clock: FakeClock, world: World, receiver: WebhookReceiver
) -> None:
    """Two replicas (own engines, own threads) drain one outbox: each message goes out once."""
    made = channel(world.bob, kind="webhook", url=receiver.url)
    for _ in range(24):
        end_job(hub, "bob", "failed")
    receiver.delay = 0.02  # keep claims and sends overlapping
    engines = [Database(settings.resolved_database_url, pool_size=4) for _ in range(2)]
    workers = [
        NotificationWorker(
            notification_service(
                db, clock, hub.auditor, hub.notifications.box, None, "http://hub"
            ).dispatcher,
            clock,
            batch=3,
        )
        for db in engines
    ]
    counts = [0, 0]

    def drain(i: int) -> None:
        while (n := workers[i].run_once()) > 0:
            counts[i] += n

    try:
        threads = [threading.Thread(target=drain, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        for db in engines:
            db.dispose()
    ids = [h.headers["x-atrium-delivery"] for h in receiver.hooks]
    assert len(ids) == len(set(ids)) == 24 and sum(counts) == 24 and min(counts) > 0
    sent = {
        d["id"]: d for d in world.bob.get(f"{CHANNELS}/{made['id']}/deliveries").json()["items"]
    }
    assert {(d["status"], d["attempts"]) for d in sent.values()} == {("sent", 1)}


def test_a_failed_job_arrives_by_mail(hub: Hub, world: World, mailbox: Mailbox) -> None:
    made = channel(world.bob, kind="email", address="bob@example.test")
    job_id = end_job(hub, "bob", "failed", reason="exit code 1")
    assert worker(hub).run_once() == 1
    [mail] = mailbox.wait_for(1)
    assert mail["Subject"] == f"[Atrium] job {job_id} train failed: exit code 1"
    assert mailbox.recipients == [["bob@example.test"]]
    text = mail.get_payload(decode=True).decode()
    assert f"http://127.0.0.1:8420/g/ml/jobs/{job_id}" in text and "Exit code:    1" in text
    assert made["id"] in text and "hush" not in text
    assert mail["X-Atrium-Delivery"] == deliveries(world.bob, made["id"])[0]["id"]


def test_a_refused_recipient_is_not_retried(hub: Hub, world: World, mailbox: Mailbox) -> None:
    made = channel(world.bob, kind="email", address="nobody@example.test")
    mailbox.refuse = "550 5.1.1 no such user"
    end_job(hub, "bob", "cancelled", reason="cancelled by alice")
    assert worker(hub).run_once() == 1
    [d] = deliveries(world.bob, made["id"])
    assert (d["status"], d["attempts"]) == ("failed", 1)
    assert d["last_error"] == "the mail server refused nobody@example.test (550)"


def test_mail_fails_with_the_reason_once_smtp_settings_are_gone(
    tmp_path: Path, database: Database, clock: FakeClock, hub: Hub, world: World
) -> None:
    made = channel(world.bob, kind="email", address="bob@example.test")
    end_job(hub, "bob", "failed")
    without_smtp = Settings(home=tmp_path / "home", database_url=database.url)
    restarted = create_app(without_smtp, db=database, clock=clock).state.hub
    assert worker(restarted).run_once() == 1
    [d] = deliveries(world.bob, made["id"])
    assert (d["status"], d["attempts"], d["last_error"]) == ("failed", 1, NO_SMTP)


def test_finished_deliveries_are_pruned_once_old(
    hub: Hub, clock: FakeClock, world: World, receiver: WebhookReceiver
) -> None:
    made = channel(world.bob, kind="webhook", url=receiver.url)
    end_job(hub, "bob", "failed")
    worker(hub).run_once()
    receiver.status = 500
    end_job(hub, "bob", "failed")  # still pending after this try: kept however old
    worker(hub).run_once()
    prune = hub.notifications.dispatcher.prune
    assert prune(clock.now() - timedelta(days=30)) == 0  # recent: kept
    assert prune(clock.now() + timedelta(seconds=1)) == 1  # the sent one, once old enough
    assert [d["status"] for d in deliveries(world.bob, made["id"])] == ["pending"]
