"""Notification rules: retries and backoff, webhook signatures, and the text of an e-mail.

Everything here is pure: the senders (backends/notify) and the services share it, and so can
the docs' verification snippet (the signature is HMAC-SHA256 over ``"{timestamp}.{body}"``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

JOB_ENDED = "job.ended"
TEST = "notification.test"

PENDING = "pending"
SENT = "sent"
FAILED = "failed"

SIGNATURE_SCHEME = "sha256"
NO_SMTP = "the server has no SMTP settings: ask an admin to set ATRIUM_SMTP_HOST"


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: 30 s, 1 min, 2 min, ... capped at 1 h; give up after 8 tries.

    ``lease`` is how long a claimed delivery is left to its worker: longer than any send can
    take (HTTP and SMTP time out well before), so only a worker that died loses its claim.
    """

    max_attempts: int = 8
    first_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=1)
    lease: timedelta = timedelta(minutes=5)

    def delay_after(self, attempts: int) -> timedelta:
        """How long to wait after the ``attempts``-th failed try (1-based)."""
        doublings = min(max(attempts - 1, 0), 32)  # past the cap anyway; keeps the product small
        return min(self.first_delay * (1 << doublings), self.max_delay)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Atrium-Signature`` value: ``sha256=<hex HMAC of "{timestamp}.{body}">``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"{SIGNATURE_SCHEME}={mac.hexdigest()}"


def one_line(text: str, limit: int = 200) -> str:
    """Header-safe: no line breaks (a reason can hold a log line), and not endless."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _status_words(status: str) -> str:
    return status.replace("_", " ")


def email_subject(payload: Mapping[str, Any]) -> str:
    if payload["event"] != JOB_ENDED:
        return "[Atrium] test notification"
    job = payload["job"]
    subject = f"[Atrium] job {job['id']} {job['name']} {_status_words(job['status'])}"
    if job["status"] != "succeeded" and job.get("reason"):
        subject += f": {job['reason']}"
    return one_line(subject)


def email_text(payload: Mapping[str, Any]) -> str:
    if payload["event"] != JOB_ENDED:
        return (
            f"This is a test message from Atrium for notification channel "
            f"{payload['channel']}.\nIt arrived, so the channel works.\n"
        )
    job = payload["job"]
    lines = [
        f'Job {job["id"]} "{job["name"]}" in group {job["group"]} {_status_words(job["status"])}.',
        "",
        f"Reason:       {job.get('reason') or '-'}",
        f"Exit code:    {_or_dash(job.get('exit_code'))}",
        f"Submitted by: {job.get('created_by') or '-'}",
        f"Started:      {job.get('started_at') or '-'}",
        f"Ended:        {job.get('ended_at') or '-'}",
        f"Details:      {job['url']}",
        "",
        f"You get this message through your notification channel {payload['channel']}; "
        "see `atrium notifications list` to change or remove it.",
    ]
    return "\n".join(lines) + "\n"


def _or_dash(value: object) -> str:
    return "-" if value is None else str(value)
