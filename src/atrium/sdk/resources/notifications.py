"""The caller's own notification channels: a signed webhook or an e-mail when a job ends."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self, TypedDict, Unpack

from atrium.sdk.models import Json, Page
from atrium.sdk.resources._base import Resource, compact, seg

PATH = "/me/notification-channels"


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class NotificationChannel:
    """Where you hear that your jobs ended; ``events`` are the end states that count."""

    id: str
    kind: str
    url: str | None
    address: str | None
    events: list[str]
    group: str | None
    enabled: bool
    secret_prefix: str | None
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(**_channel_fields(data))


@dataclass(frozen=True)
class CreatedNotificationChannel(NotificationChannel):
    """A new webhook channel (or one whose secret was rotated): ``secret`` signs its
    deliveries and is shown this one time only. None for e-mail channels."""

    secret: str | None = None

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(**_channel_fields(data), secret=data.get("secret"))


def _channel_fields(data: Json) -> dict[str, Any]:
    return {
        "id": data["id"],
        "kind": data["kind"],
        "url": data.get("url"),
        "address": data.get("address"),
        "events": list(data.get("events") or []),
        "group": data.get("group"),
        "enabled": bool(data.get("enabled", True)),
        "secret_prefix": data.get("secret_prefix"),
        "created_at": _dt(data.get("created_at")),
        "updated_at": _dt(data.get("updated_at")),
    }


@dataclass(frozen=True)
class NotificationDelivery:
    """One message to one channel: ``pending`` (with the next try), ``sent`` or ``failed``."""

    id: str
    channel_id: str
    event: str
    job_id: int | None
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime | None
    next_attempt_at: datetime | None
    sent_at: datetime | None

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(
            id=data["id"],
            channel_id=data["channel_id"],
            event=data["event"],
            job_id=data.get("job_id"),
            status=data["status"],
            attempts=int(data.get("attempts", 0)),
            last_error=data.get("last_error"),
            created_at=_dt(data.get("created_at")),
            next_attempt_at=_dt(data.get("next_attempt_at")),
            sent_at=_dt(data.get("sent_at")),
        )


class ChannelChanges(TypedDict, total=False):
    """Fields to change; ``group=None`` makes the channel take jobs of every group."""

    url: str
    address: str
    events: Sequence[str]
    group: str | None
    enabled: bool


class NotificationsResource(Resource):
    def list(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[NotificationChannel]:
        query = {"limit": limit, "cursor": cursor}
        return self._http.page(PATH, NotificationChannel.from_api, query)

    def iter_all(self) -> Iterator[NotificationChannel]:
        return self._http.iterate(PATH, NotificationChannel.from_api)

    def get(self, channel_id: str) -> NotificationChannel:
        return NotificationChannel.from_api(self._http.request("GET", _one(channel_id)))

    def create_webhook(
        self,
        url: str,
        *,
        events: Sequence[str] | None = None,
        group: str | None = None,
        enabled: bool = True,
    ) -> CreatedNotificationChannel:
        """A webhook channel; keep ``.secret`` to verify signatures (it is not shown again).
        ``events`` defaults to failed, cancelled and timed_out."""
        body = compact(kind="webhook", url=url, events=_list(events), group=group)
        return self._create({**body, "enabled": enabled})

    def create_email(
        self,
        address: str | None = None,
        *,
        events: Sequence[str] | None = None,
        group: str | None = None,
        enabled: bool = True,
    ) -> CreatedNotificationChannel:
        """An e-mail channel, to ``address`` or your account's e-mail; needs the server's SMTP
        settings."""
        body = compact(kind="email", address=address, events=_list(events), group=group)
        return self._create({**body, "enabled": enabled})

    def _create(self, body: dict[str, object]) -> CreatedNotificationChannel:
        return CreatedNotificationChannel.from_api(self._http.request("POST", PATH, json=body))

    def update(self, channel_id: str, **changes: Unpack[ChannelChanges]) -> NotificationChannel:
        """Change some fields, e.g. ``update(cid, events=["failed"], group=None)``."""
        body: dict[str, object] = dict(changes)
        if "events" in changes:
            body["events"] = list(changes["events"])
        return NotificationChannel.from_api(
            self._http.request("PATCH", _one(channel_id), json=body)
        )

    def delete(self, channel_id: str) -> None:
        """Remove the channel; messages not yet sent are dropped with it."""
        self._http.request("DELETE", _one(channel_id))

    def rotate_secret(self, channel_id: str) -> CreatedNotificationChannel:
        """A new signing secret for a webhook channel (in ``.secret``, shown once)."""
        path = f"{_one(channel_id)}/rotate-secret"
        return CreatedNotificationChannel.from_api(self._http.request("POST", path))

    def test(self, channel_id: str) -> NotificationDelivery:
        """Send a test event now; the delivery says whether it arrived."""
        path = f"{_one(channel_id)}/test"
        return NotificationDelivery.from_api(self._http.request("POST", path))

    def deliveries(
        self, channel_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[NotificationDelivery]:
        """The channel's messages, newest first."""
        query = {"limit": limit, "cursor": cursor}
        path = f"{_one(channel_id)}/deliveries"
        return self._http.page(path, NotificationDelivery.from_api, query)


def _one(channel_id: str) -> str:
    return f"{PATH}/{seg(channel_id)}"


def _list(events: Sequence[str] | None) -> list[str] | None:
    return None if events is None else list(events)
