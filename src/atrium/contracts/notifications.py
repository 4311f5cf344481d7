"""Notification channels: where a user is told that one of their jobs ended.

A channel is private to the user who made it (not even platform admins see it). A webhook
channel is signed with a secret the server generates and shows once; an e-mail channel needs
the server's SMTP settings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, BaseModel, Field, HttpUrl, UrlConstraints, model_validator

from atrium.contracts.common import Email, Input, Name

JobEnd = Literal["succeeded", "failed", "cancelled", "timed_out"]
ChannelKind = Literal["webhook", "email"]
DeliveryStatus = Literal["pending", "sent", "failed"]

JOB_ENDS: tuple[JobEnd, ...] = ("succeeded", "failed", "cancelled", "timed_out")
#: Everything but success: a nightly retrain that worked is not worth a message; one that
#: broke, hung or was stopped is.
DEFAULT_EVENTS: tuple[JobEnd, ...] = ("failed", "cancelled", "timed_out")


def _canonical(events: list[JobEnd]) -> list[JobEnd]:
    """Each status once, in a fixed order, so equal filters look equal."""
    return [e for e in JOB_ENDS if e in events]


Events = Annotated[
    list[JobEnd],
    Field(min_length=1, max_length=8, description="Job end states that trigger a message."),
    AfterValidator(_canonical),
]
WebhookUrl = Annotated[
    HttpUrl,
    UrlConstraints(max_length=2048),
    Field(description="webhook: where to POST; http or https."),
]


class NotificationChannel(BaseModel):
    id: str
    kind: ChannelKind
    url: str | None = Field(description="webhook: where events are POSTed.")
    address: str | None = Field(description="email: where messages go.")
    events: list[JobEnd]
    group: str | None = Field(description="Only jobs of this group; null: every group.")
    enabled: bool
    secret_prefix: str | None = Field(
        description="webhook: the start of the signing secret, to tell secrets apart."
    )
    created_at: datetime
    updated_at: datetime


class NotificationChannelCreated(NotificationChannel):
    """A new channel, or one whose secret was just rotated."""

    secret: str | None = Field(
        description="webhook: the signing secret. Shown once; store it in the receiver."
    )


class NotificationChannelCreate(Input):
    kind: ChannelKind
    url: WebhookUrl | None = None
    address: Email | None = Field(
        default=None, description="email: where to send; default: your account's e-mail."
    )
    events: Events = list(DEFAULT_EVENTS)
    group: Name | None = Field(default=None, description="Only jobs of this group.")
    enabled: bool = True

    @model_validator(mode="after")
    def _fits_kind(self) -> Self:
        if self.kind == "webhook" and self.url is None:
            raise ValueError("a webhook channel needs a url")
        if self.kind == "webhook" and self.address is not None:
            raise ValueError("address is for e-mail channels; a webhook takes a url")
        if self.kind == "email" and self.url is not None:
            raise ValueError("url is for webhook channels; an e-mail channel takes an address")
        return self


class NotificationChannelUpdate(Input):
    """Fields left out stay as they are; ``"group": null`` clears the group filter."""

    url: WebhookUrl | None = None
    address: Email | None = None
    events: Events | None = None
    group: Name | None = None
    enabled: bool | None = None


class NotificationDelivery(BaseModel):
    """One message to one channel, and how sending it went."""

    id: str = Field(description="Sent as X-Atrium-Delivery: the same id means the same event.")
    channel_id: str
    event: str
    job_id: int | None
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime | None = Field(description="When it is tried next, while pending.")
    sent_at: datetime | None
