"""``atrium notifications`` and ``client.notifications`` against the live server.

The live server has no SMTP settings, so e-mail channels are refused there; webhooks go to a
real receiver on loopback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from atrium.sdk import Client, Conflict, NotFound, ValidationError
from tests.cli.conftest import Cli
from tests.cli.test_commands import PASSWORD, make_user
from tests.notify_receivers import (
    WebhookReceiver,
    receiver_fixture,  # noqa: F401 - the ``receiver`` fixture
    verify,
)

Unique = Callable[[str], str]


@pytest.fixture
def user_cli(cli: Cli, unique: Unique, live_server: Any) -> Cli:
    """A fresh user of its own: channels are per user, so tests do not see each other's."""
    name = make_user(cli, unique)
    client = Client(live_server.url)
    client.auth.login(name, PASSWORD)
    return Cli(url=cli.url, token=client.token)


def test_add_test_update_remove_a_webhook(user_cli: Cli, receiver: WebhookReceiver) -> None:
    made = user_cli.json("notifications", "add-webhook", receiver.url, "-e", "failed")
    assert made["events"] == ["failed"] and made["secret"].startswith("whsec_")
    listed = user_cli("notifications", "list")
    assert made["id"] in listed.stdout and made["secret"] not in listed.stdout

    tested = user_cli("notifications", "test", made["id"])
    assert tested.exit_code == 0 and "delivered" in tested.stdout
    [hook] = receiver.wait_for(1)
    assert verify(made["secret"], hook.headers, hook.body)

    updated = user_cli.json(
        "notifications", "update", made["id"], "-e", "succeeded", "-e", "timed_out", "--disable"
    )
    assert (updated["events"], updated["enabled"]) == (["succeeded", "timed_out"], False)
    [delivery] = user_cli.json("notifications", "deliveries", made["id"])
    assert (delivery["status"], delivery["event"]) == ("sent", "notification.test")

    rotated = user_cli("notifications", "rotate-secret", made["id"])
    assert rotated.exit_code == 0 and "not shown again" in rotated.stderr
    assert "whsec_" in rotated.stdout and made["secret"] not in rotated.stdout
    assert user_cli.json("notifications", "remove", made["id"], "--yes")["removed"] is True
    assert user_cli.json("notifications", "list") == []


def test_a_failed_test_says_why_and_exits_1(user_cli: Cli, receiver: WebhookReceiver) -> None:
    receiver.status = 410
    made = user_cli.json("notifications", "add-webhook", receiver.url)
    result = user_cli("notifications", "test", made["id"])
    assert result.exit_code == 1
    assert "Not delivered: the receiver answered HTTP 410" in result.stderr


def test_bad_input_is_explained(user_cli: Cli) -> None:
    bad_url = user_cli("notifications", "add-webhook", "ftp://127.0.0.1/hook")
    assert bad_url.exit_code == 1 and "URL scheme should be 'http' or 'https'" in bad_url.stderr
    bad_event = user_cli("notifications", "add-webhook", "http://127.0.0.1:9/", "-e", "done")
    assert bad_event.exit_code == 2 and "done" in bad_event.output
    no_smtp = user_cli("notifications", "add-email", "me@example.test")
    assert no_smtp.exit_code == 1 and "the server has no SMTP settings" in no_smtp.stderr
    nothing = user_cli("notifications", "update", "nch_0123456789abcdef")
    assert nothing.exit_code == 2 and "nothing to change" in nothing.output
    assert user_cli.json("notifications", "list") == []


def test_sdk_channels_are_private(live_server: Any, cli: Cli, unique: Unique) -> None:
    clients = []
    for _ in range(2):
        client = Client(live_server.url)
        client.auth.login(make_user(cli, unique), PASSWORD)
        clients.append(client)
    owner, other = clients
    made = owner.notifications.create_webhook("http://127.0.0.1:9/", events=["succeeded"])
    assert made.secret and owner.notifications.get(made.id).secret_prefix == made.secret[:12]
    with pytest.raises(NotFound):
        other.notifications.get(made.id)
    with pytest.raises(NotFound):
        other.notifications.update(made.id, enabled=False)
    assert list(other.notifications.iter_all()) == []
    assert owner.notifications.update(made.id, group=None).enabled is True
    with pytest.raises(ValidationError):
        owner.notifications.update(made.id, events=["sometimes"])
    with pytest.raises(Conflict):
        owner.notifications.create_email("me@example.test")
    owner.notifications.delete(made.id)
    assert owner.notifications.list().items == []
