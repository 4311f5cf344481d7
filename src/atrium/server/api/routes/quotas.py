"""Group and per-member quotas, and usage."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from atrium.contracts.quotas import Quota, QuotaUpdate, Usage
from atrium.server.api.deps import Ctx, Services
from atrium.server.api.routes import ERRORS

router = APIRouter(prefix="/groups/{group}", tags=["quotas"], responses=ERRORS)
GroupName = Annotated[str, Path(max_length=63)]
Username = Annotated[str, Path(max_length=63)]


@router.get("/quota", name="quota.get")
def get_quota(group: GroupName, ctx: Ctx, hub: Services) -> Quota:
    return hub.quotas.get(ctx, group)


@router.patch("/quota", name="quota.update")
def update_quota(group: GroupName, body: QuotaUpdate, ctx: Ctx, hub: Services) -> Quota:
    return hub.quotas.update(ctx, group, body)


@router.get("/members/{username}/quota", name="member_quota.get")
def get_member_quota(group: GroupName, username: Username, ctx: Ctx, hub: Services) -> Quota:
    return hub.quotas.get_member(ctx, group, username)


@router.patch("/members/{username}/quota", name="member_quota.update")
def update_member_quota(
    group: GroupName, username: Username, body: QuotaUpdate, ctx: Ctx, hub: Services
) -> Quota:
    return hub.quotas.update_member(ctx, group, username, body)


@router.get("/usage", name="usage.get")
def get_usage(
    group: GroupName,
    ctx: Ctx,
    hub: Services,
    user: Annotated[str | None, Query(max_length=63, description="One member's usage")] = None,
) -> Usage:
    return hub.quotas.usage(ctx, group, user)
