"""The notification senders alone, against real receivers on loopback (no database).

The webhook signature is checked with the verification snippet of docs/notifications.md,
taken from the page itself, so the docs cannot drift from what the server sends.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from atrium.server.backends.notify import Outgoing, SendError
from atrium.server.backends.notify.smtp import SmtpConfig, SmtpNotifier
from atrium.server.backends.notify.webhook import WebhookNotifier
from atrium.server.domain.notifications import JOB_ENDED, NO_SMTP, TEST, email_subject
from tests.notify_receivers import (
    Mailbox,
    WebhookReceiver,
    mailbox_fixture,  # noqa: F401 - the ``mailbox`` fixture
    receiver_fixture,  # noqa: F401 - the ``receiver`` fixture
)

DOCS = Path(__file__).parents[2] / "docs" / "notifications.md"
SECRET = "whsec_test-secret"


def documented_verify() -> Callable[..., bool]:
    """``verify_atrium_signature`` as docs/notifications.md prints it."""
    text = DOCS.read_text()
    section = text[text.index("### Verifying a delivery") :]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the docs lost their verification snippet"
    namespace: dict[str, Any] = {}
    exec(match.group(1), namespace)
    return namespace["verify_atrium_signature"]  # type: ignore[no-any-return]


def message(target: str, event: str = TEST, **overrides: Any) -> Outgoing:
    payload = {"event": event, "delivery": "d-1", "channel": "nch_1", "note": "héllo"}
    fields: dict[str, Any] = {
        "delivery_id": "d-1",
        "event": event,
        "target": target,
        "payload": payload,
        "at": datetime.now(UTC),
        "secret": SECRET,
    }
    return Outgoing(**{**fields, **overrides})


def test_a_webhook_verifies_with_the_documented_snippet(receiver: WebhookReceiver) -> None:
    WebhookNotifier().send(message(receiver.url))
    [hook] = receiver.wait_for(1)
    verify = documented_verify()
    headers = httpx.Headers(hook.headers)  # case-insensitive, as web frameworks give them
    assert verify(SECRET, headers, hook.body)
    assert hook.json["note"] == "héllo" and hook.headers["content-type"] == "application/json"
    assert not verify("whsec_another", headers, hook.body)
    assert not verify(SECRET, headers, hook.body.replace(b"nch_1", b"nch_2"))
    stale = httpx.Headers({**hook.headers, "x-atrium-timestamp": str(int(time.time()) - 3600)})
    assert not verify(SECRET, stale, hook.body)  # a replay an hour later


@pytest.mark.parametrize("status", [302, 404, 500])
def test_non_2xx_answers_fail_and_redirects_are_not_followed(
    receiver: WebhookReceiver, status: int
) -> None:
    receiver.status = status
    with pytest.raises(SendError, match=f"the receiver answered HTTP {status}") as failed:
        WebhookNotifier().send(message(receiver.url))
    assert failed.value.retry and len(receiver.hooks) == 1


def test_a_slow_receiver_costs_at_most_the_timeout(receiver: WebhookReceiver) -> None:
    receiver.delay = 3
    started = time.monotonic()
    with pytest.raises(SendError, match=r"no answer within 0\.5 s"):
        WebhookNotifier(timeout=0.5).send(message(receiver.url))
    assert time.monotonic() - started < 2.5


def test_an_unreachable_receiver_is_retried() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed when the block ends: nothing listens there
    with pytest.raises(SendError, match="could not reach the receiver") as failed:
        WebhookNotifier(timeout=2).send(message(f"http://127.0.0.1:{port}/"))
    assert failed.value.retry


def test_a_webhook_without_a_secret_is_not_retried(receiver: WebhookReceiver) -> None:
    with pytest.raises(SendError, match="no signing secret") as failed:
        WebhookNotifier().send(message(receiver.url, secret=None))
    assert not failed.value.retry and receiver.hooks == []


def _smtp(box: Mailbox) -> SmtpNotifier:
    return SmtpNotifier(SmtpConfig(host=box.host, port=box.port, starttls=False, sender="a@b.c"))


def test_mail_is_plain_text_with_a_one_line_subject(mailbox: Mailbox) -> None:
    job = {
        "id": 7, "group": "ml", "name": "train", "status": "timed_out", "exit_code": None,
        "reason": "timed out\nafter 60 s", "created_by": "bob", "started_at": None,
        "ended_at": "2026-11-27T12:00:00+00:00", "url": "http://hub/g/ml/jobs/7",
    }  # fmt: skip
    payload = {"event": JOB_ENDED, "delivery": "d-1", "channel": "nch_1", "job": job}
    _smtp(mailbox).send(message("bob@example.test", JOB_ENDED, payload=payload))
    [mail] = mailbox.wait_for(1)
    assert mail["Subject"] == "[Atrium] job 7 train timed out: timed out after 60 s"
    assert mail.get_content_type() == "text/plain" and mail["X-Atrium-Delivery"] == "d-1"
    assert "Details:      http://hub/g/ml/jobs/7" in mail.get_payload(decode=True).decode()
    succeeded = {**payload, "job": {**job, "status": "succeeded", "reason": None}}
    assert email_subject(succeeded) == "[Atrium] job 7 train succeeded"


def test_mail_answers_decide_about_retries(mailbox: Mailbox) -> None:
    mailbox.refuse = "450 4.2.1 mailbox busy"
    with pytest.raises(SendError, match=r"refused bob@example.test \(450\)") as busy:
        _smtp(mailbox).send(message("bob@example.test"))
    assert busy.value.retry
    mailbox.refuse = "550 5.1.1 unknown user"
    with pytest.raises(SendError, match=r"\(550\)") as unknown:
        _smtp(mailbox).send(message("bob@example.test"))
    assert not unknown.value.retry


def test_no_smtp_settings_fail_at_once() -> None:
    with pytest.raises(SendError, match=NO_SMTP) as failed:
        SmtpNotifier(None).send(message("bob@example.test"))
    assert not failed.value.retry


def test_an_unreachable_mail_server_is_retried() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = SmtpConfig(host="127.0.0.1", port=port, starttls=False, timeout=2)
    with pytest.raises(SendError, match="could not reach the mail server") as failed:
        SmtpNotifier(config).send(message("bob@example.test"))
    assert failed.value.retry
