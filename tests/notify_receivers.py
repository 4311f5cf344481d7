"""Real receivers on loopback for notification tests: an HTTP server that checks webhook
signatures the way the docs tell users to, and an SMTP server (aiosmtpd) that keeps mail.

A test module gets the ``receiver`` and ``mailbox`` fixtures by importing
``receiver_fixture`` and ``mailbox_fixture`` from here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from atrium.server.settings import Settings
from tests.conftest import ADMIN_PASSWORD


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """docs/notifications.md's verification, verbatim in spirit: HMAC of "{timestamp}.{body}"."""
    timestamp = headers["x-atrium-timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(headers["x-atrium-signature"], f"sha256={expected.hexdigest()}")


@dataclass
class Hook:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """Records every POST; answers ``status`` (settable), after ``delay`` seconds."""

    url: str
    hooks: list[Hook] = field(default_factory=list)
    status: int = 200
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, count: int, timeout: float = 10) -> list[Hook]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.hooks) >= count:
                    return list(self.hooks)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} webhooks, got {len(self.hooks)}")


def _handler(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            with receiver.lock:
                receiver.hooks.append(Hook(self.path, headers, body))
            time.sleep(receiver.delay)
            self.send_response(receiver.status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/atrium"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[Message] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    #: Set to refuse the next RCPT TO with this SMTP answer, e.g. "550 no such user".
    refuse: str | None = None

    def wait_for(self, count: int, timeout: float = 10) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.02)
        assert len(self.messages) >= count, f"expected {count} mails, got {len(self.messages)}"
        return list(self.messages)


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.box.refuse:
            return self.box.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        self.box.recipients.append(list(envelope.rcpt_tos))
        self.box.messages.append(message_from_bytes(content))
        return "250 Message accepted"


def _free_port() -> int:
    # aiosmtpd checks it is up by connecting to its port, so it cannot be given port 0.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def smtp_server() -> Iterator[Mailbox]:
    box = Mailbox(host="127.0.0.1", port=_free_port())
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def smtp_settings(home: Path, db_url: str, mailbox: Mailbox) -> Settings:
    """Test settings whose mail goes to ``mailbox`` (plain SMTP: no TLS on loopback)."""
    return Settings(
        home=home,
        database_url=db_url,
        admin_password=ADMIN_PASSWORD,
        smtp_host=mailbox.host,
        smtp_port=mailbox.port,
        smtp_starttls=False,
        smtp_from="Atrium <atrium@hub.test>",
    )


@pytest.fixture(name="receiver")
def receiver_fixture() -> Iterator[WebhookReceiver]:
    yield from webhook_receiver()


@pytest.fixture(name="mailbox")
def mailbox_fixture() -> Iterator[Mailbox]:
    yield from smtp_server()
