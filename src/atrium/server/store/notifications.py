"""Notification channel and delivery (outbox) queries.

Delivery workers on PostgreSQL claim due rows with ``FOR UPDATE SKIP LOCKED``, so replicas
never wait for or take each other's rows; SQLite ignores the clause, and its single writer
(``BEGIN IMMEDIATE``) serialises the claims instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from atrium.server.domain.notifications import PENDING
from atrium.server.store.paging import page
from atrium.server.store.tables import NotificationChannelRow, NotificationDeliveryRow

Channel = NotificationChannelRow
Delivery = NotificationDeliveryRow


def channel(s: Session, channel_id: str) -> Channel | None:
    return s.get(Channel, channel_id)


def channels_page(
    s: Session, user_id: int, limit: int, cursor: str | None
) -> tuple[Sequence[Channel], str | None]:
    return page(s, select(Channel).where(Channel.user_id == user_id), Channel.id, limit, cursor)


def count_channels(s: Session, user_id: int) -> int:
    return s.scalar(select(func.count()).where(Channel.user_id == user_id)) or 0


def channels_for_job(s: Session, user_id: int, group_id: int) -> list[Channel]:
    """The user's enabled channels that take jobs of this group (the status is checked after:
    a user has a handful of channels, and JSON containment differs between the dialects)."""
    stmt = select(Channel).where(
        Channel.user_id == user_id,
        Channel.enabled.is_(True),
        or_(Channel.group_id.is_(None), Channel.group_id == group_id),
    )
    return list(s.scalars(stmt.order_by(Channel.id)))


def add(s: Session, row: Channel | Delivery) -> None:
    s.add(row)
    s.flush()


def remove_channel(s: Session, row: Channel) -> None:
    s.delete(row)
    s.flush()


def deliveries_page(
    s: Session, channel_id: str, limit: int, cursor: str | None
) -> tuple[Sequence[Delivery], str | None]:
    """Newest first."""
    stmt = select(Delivery).where(Delivery.channel_id == channel_id)
    return page(s, stmt, Delivery.seq, limit, cursor, descending=True)


def delivery(s: Session, delivery_id: str) -> Delivery | None:
    return s.scalar(select(Delivery).where(Delivery.id == delivery_id))


def any_due(s: Session, now: datetime) -> bool:
    stmt = select(Delivery.seq).where(Delivery.status == PENDING, Delivery.next_attempt_at <= now)
    return s.scalar(stmt.limit(1)) is not None


def claim_due(
    s: Session, now: datetime, limit: int, delivery_id: str | None = None
) -> list[tuple[Delivery, Channel]]:
    """Pending deliveries whose time has come, locked, with their channels; oldest due first."""
    stmt = (
        select(Delivery, Channel)
        .join(Channel, Channel.id == Delivery.channel_id)
        .where(Delivery.status == PENDING, Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.seq)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Delivery)
    )
    if delivery_id is not None:
        stmt = stmt.where(Delivery.id == delivery_id)
    return [(d, c) for d, c in s.execute(stmt).tuples()]


def claimed(s: Session, seq: int, attempts: int) -> Delivery | None:
    """The delivery, locked, if it is still pending under the claim that made ``attempts``
    (after a lease ran out another worker may have claimed it again)."""
    stmt = (
        select(Delivery)
        .where(Delivery.seq == seq, Delivery.status == PENDING, Delivery.attempts == attempts)
        .with_for_update()
    )
    return s.scalar(stmt)


def prune(s: Session, before: datetime) -> int:
    """Forget finished deliveries created before ``before``."""
    stmt = delete(Delivery).where(Delivery.status != PENDING, Delivery.created_at < before)
    return s.execute(stmt).rowcount  # type: ignore[attr-defined,no-any-return]
