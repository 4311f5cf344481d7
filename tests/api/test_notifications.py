"""Notification channels over the API: lifecycle, signed test events, privacy, bad input.

Webhooks go to a real HTTP server on loopback that checks the signature as the docs say;
e-mail goes to a real SMTP server on loopback. The delivery worker is not running here (the
test client skips the app's lifespan): ``test`` sends by itself, the rest is driven by hand.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from atrium.server.app import create_app
from atrium.server.settings import Settings
from atrium.server.store import users as user_store
from atrium.server.store.db import Database
from tests.conftest import FakeClock, World, login
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


def _webhook(client: TestClient, url: str, **fields: Any) -> dict[str, Any]:
    r = client.post(CHANNELS, json={"kind": "webhook", "url": url, **fields})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_webhook_channel_lifecycle(world: World, receiver: WebhookReceiver) -> None:
    made = _webhook(world.bob, receiver.url)
    assert made["secret"].startswith("whsec_") and made["secret"][:12] == made["secret_prefix"]
    assert made["events"] == ["failed", "cancelled", "timed_out"]  # the default
    assert made["enabled"] is True and made["group"] is None and made["address"] is None
    path = f"{CHANNELS}/{made['id']}"
    listed = world.bob.get(CHANNELS).json()["items"]
    assert [c["id"] for c in listed] == [made["id"]] and "secret" not in listed[0]

    body = {"events": ["succeeded", "failed", "succeeded"], "group": "ml", "enabled": False}
    updated = world.bob.patch(path, json=body).json()
    assert (updated["events"], updated["group"], updated["enabled"]) == (
        ["succeeded", "failed"],
        "ml",
        False,
    )
    assert world.bob.patch(path, json={"group": None}).json()["group"] is None
    assert world.bob.patch(path, json={"enabled": True}).json()["events"] == ["succeeded", "failed"]

    rotated = world.bob.post(f"{path}/rotate-secret").json()
    assert rotated["secret"] != made["secret"] and rotated["secret_prefix"] != made["secret_prefix"]
    assert world.bob.delete(path).status_code == 204
    assert world.bob.get(path).json()["error"]["code"] == "not_found"


def test_test_event_arrives_signed(world: World, receiver: WebhookReceiver) -> None:
    made = _webhook(world.bob, receiver.url)
    path = f"{CHANNELS}/{made['id']}"
    delivery = world.bob.post(f"{path}/test").json()
    assert (delivery["status"], delivery["attempts"], delivery["last_error"]) == ("sent", 1, None)
    [hook] = receiver.wait_for(1)
    assert hook.path == "/hooks/atrium" and verify(made["secret"], hook.headers, hook.body)
    assert hook.headers["x-atrium-event"] == "notification.test"
    assert hook.headers["x-atrium-delivery"] == delivery["id"] == hook.json["delivery"]
    assert hook.json["channel"] == made["id"]

    new_secret = world.bob.post(f"{path}/rotate-secret").json()["secret"]
    world.bob.post(f"{path}/test")
    second = receiver.wait_for(2)[1]
    assert verify(new_secret, second.headers, second.body)
    assert not verify(made["secret"], second.headers, second.body)
    history = world.bob.get(f"{path}/deliveries").json()["items"]
    assert [d["id"] for d in history][1] == delivery["id"]  # newest first


def test_failed_test_reports_the_error_and_stays_pending(
    world: World, receiver: WebhookReceiver
) -> None:
    receiver.status = 503
    made = _webhook(world.bob, receiver.url)
    delivery = world.bob.post(f"{CHANNELS}/{made['id']}/test").json()
    assert delivery["status"] == "pending" and delivery["attempts"] == 1
    assert delivery["last_error"] == "the receiver answered HTTP 503"
    assert delivery["next_attempt_at"] > delivery["created_at"]  # retried later, with backoff


def test_email_channel_defaults_to_the_account_address(world: World, mailbox: Mailbox) -> None:
    world.admin.patch("/api/v1/users/bob", json={"email": "bob@example.test"})
    made = world.bob.post(CHANNELS, json={"kind": "email", "events": ["succeeded"]}).json()
    assert (made["address"], made["url"], made["secret"]) == ("bob@example.test", None, None)
    assert world.bob.post(f"{CHANNELS}/{made['id']}/test").json()["status"] == "sent"
    [mail] = mailbox.wait_for(1)
    assert mail["To"] == "bob@example.test" and mail["From"] == "Atrium <atrium@hub.test>"
    assert mail["Subject"] == "[Atrium] test notification"
    assert made["id"] in mail.get_payload(decode=True).decode()
    r = world.bob.post(f"{CHANNELS}/{made['id']}/rotate-secret")
    assert r.status_code == 422 and "only webhook" in r.json()["error"]["message"]


def test_email_needs_an_address(world: World) -> None:
    r = world.carol.post(CHANNELS, json={"kind": "email"})
    assert r.status_code == 422 and "no e-mail address" in r.json()["error"]["message"]


def test_email_channels_are_refused_without_smtp_settings(
    tmp_path: Path, database: Database, clock: FakeClock, world: World
) -> None:
    plain = Settings(home=tmp_path / "home", database_url=database.url)
    app = create_app(plain, db=database, clock=clock)
    bob = login(app, "bob", "bob-pass-123")
    r = bob.post(CHANNELS, json={"kind": "email", "address": "bob@example.test"})
    assert r.status_code == 409
    assert "the server has no SMTP settings: ask an admin" in r.json()["error"]["message"]
    assert bob.get(CHANNELS).json()["items"] == []


def test_channels_are_private_even_from_admins(world: World, receiver: WebhookReceiver) -> None:
    made = _webhook(world.bob, receiver.url)
    path = f"{CHANNELS}/{made['id']}"
    for other in (world.alice, world.admin):
        calls = [
            other.get(path),
            other.patch(path, json={"enabled": False}),
            other.post(f"{path}/test"),
            other.post(f"{path}/rotate-secret"),
            other.get(f"{path}/deliveries"),
            other.delete(path),
        ]
        assert [r.status_code for r in calls] == [404] * 6
        assert {r.json()["error"]["code"] for r in calls} == {"not_found"}
        assert other.get(CHANNELS).json()["items"] == []
    unchanged = world.bob.get(path).json()
    assert unchanged["enabled"] is True and unchanged["secret_prefix"] == made["secret_prefix"]
    assert receiver.hooks == []


BAD_BODIES = [
    ({"kind": "webhook", "url": "not a url"}, "url"),
    ({"kind": "webhook", "url": "ftp://127.0.0.1/x"}, "url"),
    ({"kind": "webhook", "url": "file:///etc/passwd"}, "url"),
    ({"kind": "webhook"}, "needs a url"),
    ({"kind": "webhook", "url": "http://127.0.0.1/", "address": "a@b.c"}, "address is for"),
    ({"kind": "email", "address": "not-an-address"}, "address"),
    ({"kind": "email", "address": "a@b.c", "url": "http://127.0.0.1/"}, "url is for"),
    ({"kind": "webhook", "url": "http://127.0.0.1/", "events": ["exploded"]}, "events"),
    ({"kind": "webhook", "url": "http://127.0.0.1/", "events": []}, "events"),
    ({"kind": "webhook", "url": "http://127.0.0.1/", "colour": "red"}, "colour"),
    ({"kind": "pigeon"}, "kind"),
]


def test_bad_input_is_a_422_and_changes_nothing(world: World) -> None:
    for body, says in BAD_BODIES:
        r = world.bob.post(CHANNELS, json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["error"]["code"] == "validation_error" and says in r.text, body
    assert world.bob.get(CHANNELS).json()["items"] == []


def test_bad_updates_change_nothing(world: World, receiver: WebhookReceiver) -> None:
    made = _webhook(world.bob, receiver.url, group="ml")
    path = f"{CHANNELS}/{made['id']}"
    for body, status in [
        ({"url": "gopher://127.0.0.1/"}, 422),
        ({"address": "bob@example.test"}, 422),  # a webhook has no address
        ({"events": ["later"]}, 422),
        ({"group": "bio"}, 404),  # bob cannot see bio: for him it does not exist
        ({"group": "Not A Name"}, 422),
    ]:
        r = world.bob.patch(path, json=body)
        assert r.status_code == status, (body, r.text)
    after = world.bob.get(path).json()
    assert {k: after[k] for k in ("url", "group", "events")} == {
        k: made[k] for k in ("url", "group", "events")
    }


def test_a_jobs_token_cannot_touch_channels(app: FastAPI, world: World) -> None:
    """A job acts inside its group only; its owner's channels are out of its reach."""
    hub = app.state.hub
    with hub.db.write() as s:
        bob = user_store.by_username(s, "bob")
        assert bob is not None
        expires = hub.clock.now() + timedelta(hours=1)
        _, secret = hub.auth.issue_job_token(s, bob.id, hub.quotas.group_id("ml"), "j", expires)
    job = TestClient(app, headers={"Authorization": f"Bearer {secret}"})
    r = job.post(CHANNELS, json={"kind": "webhook", "url": "http://127.0.0.1:9/"})
    assert r.status_code == 403 and "job's token" in r.json()["error"]["message"]
    assert job.get(CHANNELS).status_code == 403
    assert world.bob.get(CHANNELS).json()["items"] == []


def test_a_user_has_at_most_twenty_channels(world: World) -> None:
    for _ in range(20):
        _webhook(world.dave, "http://127.0.0.1:9/")
    r = world.dave.post(CHANNELS, json={"kind": "webhook", "url": "http://127.0.0.1:9/"})
    assert r.status_code == 409 and "remove one first" in r.json()["error"]["message"]
