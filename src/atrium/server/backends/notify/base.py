"""The sender protocol: deliver one message to one channel, or say why not. Nothing else.

Senders never touch the database: the delivery worker claims a message, hands it over as an
:class:`Outgoing`, and records the outcome. Every send has a time limit, so a slow receiver
costs one worker thread a few seconds, never the scheduler.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Outgoing:
    delivery_id: str
    event: str
    #: The webhook URL or the e-mail address.
    target: str
    payload: Mapping[str, Any]
    #: When this attempt is made (the webhook's signed timestamp).
    at: datetime
    #: The webhook signing secret; None for e-mail.
    secret: str | None = None


class SendError(Exception):
    """The message did not get through. ``retry`` is False when trying again cannot help."""

    def __init__(self, reason: str, *, retry: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


class Notifier(Protocol):
    def send(self, message: Outgoing) -> None:
        """Deliver ``message`` or raise :class:`SendError`."""
