"""The caller's own notification channels: webhooks and e-mail on job end."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from atrium.contracts.common import Page
from atrium.contracts.notifications import (
    NotificationChannel,
    NotificationChannelCreate,
    NotificationChannelCreated,
    NotificationChannelUpdate,
    NotificationDelivery,
)
from atrium.server.api.deps import Ctx, Paging, Services
from atrium.server.api.routes import ERRORS

router = APIRouter(prefix="/me/notification-channels", tags=["notifications"], responses=ERRORS)
ChannelId = Annotated[str, Path(max_length=32)]


@router.get("", name="notifications.list")
def list_channels(ctx: Ctx, hub: Services, paging: Paging) -> Page[NotificationChannel]:
    return hub.notifications.list(ctx, paging.limit, paging.cursor)


@router.post("", status_code=201, name="notifications.create")
def create_channel(
    body: NotificationChannelCreate, ctx: Ctx, hub: Services
) -> NotificationChannelCreated:
    return hub.notifications.create(ctx, body)


@router.get("/{channel_id}", name="notifications.get")
def get_channel(channel_id: ChannelId, ctx: Ctx, hub: Services) -> NotificationChannel:
    return hub.notifications.get(ctx, channel_id)


@router.patch("/{channel_id}", name="notifications.update")
def update_channel(
    channel_id: ChannelId, body: NotificationChannelUpdate, ctx: Ctx, hub: Services
) -> NotificationChannel:
    return hub.notifications.update(ctx, channel_id, body)


@router.delete("/{channel_id}", status_code=204, name="notifications.delete")
def delete_channel(channel_id: ChannelId, ctx: Ctx, hub: Services) -> Response:
    hub.notifications.delete(ctx, channel_id)
    return Response(status_code=204)


@router.post("/{channel_id}/rotate-secret", name="notifications.rotate_secret")
def rotate_secret(channel_id: ChannelId, ctx: Ctx, hub: Services) -> NotificationChannelCreated:
    return hub.notifications.rotate_secret(ctx, channel_id)


@router.post("/{channel_id}/test", name="notifications.test")
def test_channel(channel_id: ChannelId, ctx: Ctx, hub: Services) -> NotificationDelivery:
    """Send a test event now; the answer says whether it got through (failures are retried)."""
    return hub.notifications.test(ctx, channel_id)


@router.get("/{channel_id}/deliveries", name="notifications.deliveries")
def list_deliveries(
    channel_id: ChannelId, ctx: Ctx, hub: Services, paging: Paging
) -> Page[NotificationDelivery]:
    """The channel's messages, newest first, with attempts and the last error."""
    return hub.notifications.deliveries(ctx, channel_id, paging.limit, paging.cursor)
