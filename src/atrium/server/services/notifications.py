"""Notification channels (each user's own, private even from platform admins) and the outbox.

When a job ends, :meth:`NotificationService.job_ended_in` runs inside the transaction that
ends it and adds one delivery row per matching channel of the job's submitter: the message
commits with the state change or not at all, and the worker (workers/notifications.py) sends
it afterwards. Nothing here waits for a receiver except the explicit ``test`` call.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import event
from sqlalchemy.orm import Session

from atrium.contracts.common import Page
from atrium.contracts.notifications import (
    JOB_ENDS,
    NotificationChannel,
    NotificationChannelCreate,
    NotificationChannelCreated,
    NotificationChannelUpdate,
    NotificationDelivery,
)
from atrium.server.backends.notify import Notifier
from atrium.server.backends.notify.smtp import SmtpConfig, SmtpNotifier
from atrium.server.backends.notify.webhook import WebhookNotifier
from atrium.server.domain.clock import Clock
from atrium.server.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from atrium.server.domain.model import Context
from atrium.server.domain.notifications import JOB_ENDED, NO_SMTP, PENDING, TEST
from atrium.server.services import policy, security
from atrium.server.services.audit import Auditor
from atrium.server.services.notification_delivery import Dispatcher
from atrium.server.services.notification_secrets import new_secret
from atrium.server.services.secret_box import SecretBox
from atrium.server.store import groups as group_store
from atrium.server.store import notifications as store
from atrium.server.store import users as user_store
from atrium.server.store.db import Database
from atrium.server.store.tables import JobRow, NotificationChannelRow, NotificationDeliveryRow

#: Each job end fans out to every matching channel; a cap keeps one user from turning that
#: into a flood.
MAX_CHANNELS = 20
RESOURCE = "notification_channel"


class NotificationService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        auditor: Auditor,
        box: SecretBox,
        dispatcher: Dispatcher,
        *,
        email_enabled: bool,
        public_url: str,
    ) -> None:
        self.db = db
        self.clock = clock
        self.auditor = auditor
        self.box = box
        self.dispatcher = dispatcher
        self.email_enabled = email_enabled
        self.public_url = public_url.rstrip("/")

    # ---- the owner's calls -----------------------------------------------------------------

    def list(self, ctx: Context, limit: int, cursor: str | None) -> Page[NotificationChannel]:
        with self.db.read() as s:
            rows, nxt = store.channels_page(s, _owner(ctx), limit, cursor)
            return Page[NotificationChannel](
                items=[_to_channel(s, r) for r in rows], next_cursor=nxt
            )

    def get(self, ctx: Context, channel_id: str) -> NotificationChannel:
        with self.db.read() as s:
            return _to_channel(s, _own(s, ctx, channel_id))

    def create(self, ctx: Context, body: NotificationChannelCreate) -> NotificationChannelCreated:
        user_id = _owner(ctx)
        with self.db.write() as s:
            if store.count_channels(s, user_id) >= MAX_CHANNELS:
                raise Conflict(f"you have {MAX_CHANNELS} notification channels: remove one first")
            now = self.clock.now()
            row = NotificationChannelRow(
                id=security.new_id("nch"),
                user_id=user_id,
                kind=body.kind,
                target=self._target(s, user_id, body),
                events=list(body.events),
                group_id=_group_id(s, ctx, body.group),
                enabled=body.enabled,
                created_at=now,
                updated_at=now,
            )
            secret = new_secret(self.box, row) if body.kind == "webhook" else None
            store.add(s, row)
            details = {"kind": body.kind}  # never the URL: it can hold a token (Slack's do)
            self.auditor.record(s, ctx, f"{RESOURCE}.create", RESOURCE, row.id, details=details)
            return NotificationChannelCreated(**_to_channel(s, row).model_dump(), secret=secret)

    def update(
        self, ctx: Context, channel_id: str, body: NotificationChannelUpdate
    ) -> NotificationChannel:
        with self.db.write() as s:
            row = _own(s, ctx, channel_id)
            _apply(s, ctx, row, body)
            row.updated_at = self.clock.now()
            details = {"fields": sorted(body.model_fields_set)}
            self.auditor.record(s, ctx, f"{RESOURCE}.update", RESOURCE, row.id, details=details)
            return _to_channel(s, row)

    def delete(self, ctx: Context, channel_id: str) -> None:
        """Pending deliveries go with the channel."""
        with self.db.write() as s:
            store.remove_channel(s, _own(s, ctx, channel_id))
            self.auditor.record(s, ctx, f"{RESOURCE}.delete", RESOURCE, channel_id)

    def rotate_secret(self, ctx: Context, channel_id: str) -> NotificationChannelCreated:
        with self.db.write() as s:
            row = _own(s, ctx, channel_id)
            if row.kind != "webhook":
                raise InvalidInput("only webhook channels have a signing secret")
            secret = new_secret(self.box, row)
            row.updated_at = self.clock.now()
            self.auditor.record(s, ctx, f"{RESOURCE}.rotate_secret", RESOURCE, row.id)
            return NotificationChannelCreated(**_to_channel(s, row).model_dump(), secret=secret)

    def test(self, ctx: Context, channel_id: str) -> NotificationDelivery:
        """Queue a test message and try it at once; the answer says how that went (a failed
        try is retried later, like any delivery). Sent even to a disabled channel."""
        with self.db.write() as s:
            row = _own(s, ctx, channel_id)
            delivery_id = self._enqueue(s, row, TEST, None, {}).id
            self.auditor.record(s, ctx, f"{RESOURCE}.test", RESOURCE, row.id)
        self.dispatcher.attempt(delivery_id)
        with self.db.read() as s:
            found = store.delivery(s, delivery_id)
            if found is None:  # the channel was deleted meanwhile, and its deliveries with it
                raise NotFound(f"notification channel {channel_id!r} not found")
            return to_delivery(found)

    def deliveries(
        self, ctx: Context, channel_id: str, limit: int, cursor: str | None
    ) -> Page[NotificationDelivery]:
        with self.db.read() as s:
            _own(s, ctx, channel_id)
            rows, nxt = store.deliveries_page(s, channel_id, limit, cursor)
            return Page[NotificationDelivery](items=[to_delivery(r) for r in rows], next_cursor=nxt)

    # ---- the jobs service's hook -----------------------------------------------------------

    def job_ended_in(self, s: Session, job: JobRow) -> int:
        """In the transaction that moves ``job`` on: if it ended, queue a message for each of
        its submitter's matching channels (a retry, still queued, queues none). Returns how
        many were queued."""
        if job.user_id is None or job.status not in JOB_ENDS:
            return 0
        channels = store.channels_for_job(s, job.user_id, job.group_id)
        matching = [c for c in channels if job.status in c.events]
        if not matching:
            return 0
        group = group_store.by_id(s, job.group_id)
        body = {"job": self._job_view(job, group.name if group else "")}
        for channel in matching:
            self._enqueue(s, channel, JOB_ENDED, job.id, body)
        # Wake the worker only once the rows are visible to it.
        event.listen(s, "after_commit", lambda _: self.dispatcher.wake(), once=True)
        return len(matching)

    # ---- helpers ---------------------------------------------------------------------------

    def _target(self, s: Session, user_id: int, body: NotificationChannelCreate) -> str:
        if body.kind == "webhook":
            return str(body.url)
        if not self.email_enabled:
            raise Conflict(f"e-mail channels are not available: {NO_SMTP}")
        if body.address is not None:
            return body.address
        user = user_store.by_id(s, user_id)
        if user is None or not user.email:
            raise InvalidInput(
                "your account has no e-mail address: give an address", {"field": "address"}
            )
        return user.email

    def _enqueue(
        self,
        s: Session,
        channel: NotificationChannelRow,
        event_name: str,
        job_id: int | None,
        body: dict[str, Any],
    ) -> NotificationDeliveryRow:
        now = self.clock.now()
        delivery_id = str(uuid.uuid4())
        payload = {
            "event": event_name,
            "delivery": delivery_id,
            "channel": channel.id,
            "occurred_at": now.isoformat(),
            **body,
        }
        row = NotificationDeliveryRow(
            id=delivery_id, channel_id=channel.id, job_id=job_id, event=event_name,
            payload=payload, status=PENDING, attempts=0, created_at=now, next_attempt_at=now,
        )  # fmt: skip
        store.add(s, row)
        return row

    def _job_view(self, job: JobRow, group: str) -> dict[str, Any]:
        """What a message tells about a job: never its command, env or secrets."""
        return {
            "id": job.id,
            "group": group,
            "name": job.name,
            "status": job.status,
            "reason": job.reason,
            "exit_code": job.exit_code,
            "created_by": job.created_by,
            "started_at": _iso(job.started_at),
            "ended_at": _iso(job.ended_at),
            "url": f"{self.public_url}/g/{quote(group, safe='')}/jobs/{job.id}",
        }


def notification_service(
    db: Database,
    clock: Clock,
    auditor: Auditor,
    box: SecretBox,
    smtp: SmtpConfig | None,
    public_url: str,
) -> NotificationService:
    """The service with its dispatcher and real senders (webhooks over HTTP, SMTP e-mail)."""
    notifiers: dict[str, Notifier] = {"webhook": WebhookNotifier(), "email": SmtpNotifier(smtp)}
    dispatcher = Dispatcher(db, clock, box, notifiers)
    return NotificationService(
        db, clock, auditor, box, dispatcher, email_enabled=smtp is not None, public_url=public_url
    )


def _owner(ctx: Context) -> int:
    if ctx.principal.user_id is None:
        raise Unauthenticated("sign in first: send a bearer token or log in")
    if ctx.principal.scope_group_id is not None:
        raise Forbidden("a job's token cannot manage notification channels")
    return ctx.principal.user_id


def _own(s: Session, ctx: Context, channel_id: str) -> NotificationChannelRow:
    row = store.channel(s, channel_id)
    if row is None or row.user_id != _owner(ctx):
        raise NotFound(f"notification channel {channel_id!r} not found")
    return row


def _group_id(s: Session, ctx: Context, name: str | None) -> int | None:
    """A filter may name only a group the caller can see (else: not found, as everywhere)."""
    if name is None:
        return None
    return policy.require_group(s, ctx.principal, name, "group.read").id


def _apply(
    s: Session, ctx: Context, row: NotificationChannelRow, body: NotificationChannelUpdate
) -> None:
    if body.url is not None:
        if row.kind != "webhook":
            raise InvalidInput("url is for webhook channels; this one sends e-mail")
        row.target = str(body.url)
    if body.address is not None:
        if row.kind != "email":
            raise InvalidInput("address is for e-mail channels; this one is a webhook")
        row.target = body.address
    if body.events is not None:
        row.events = list(body.events)
    if "group" in body.model_fields_set:
        row.group_id = _group_id(s, ctx, body.group)
    if body.enabled is not None:
        row.enabled = body.enabled


def _to_channel(s: Session, row: NotificationChannelRow) -> NotificationChannel:
    group = group_store.by_id(s, row.group_id) if row.group_id is not None else None
    webhook = row.kind == "webhook"
    return NotificationChannel(
        id=row.id,
        kind=row.kind,
        url=row.target if webhook else None,
        address=None if webhook else row.target,
        events=row.events,
        group=group.name if group else None,
        enabled=row.enabled,
        secret_prefix=row.secret_prefix,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def to_delivery(row: NotificationDeliveryRow) -> NotificationDelivery:
    return NotificationDelivery(
        id=row.id,
        channel_id=row.channel_id,
        event=row.event,
        job_id=row.job_id,
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at if row.status == PENDING else None,
        sent_at=row.sent_at,
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
