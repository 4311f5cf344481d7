"""Groups and their members."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from atrium.contracts.common import Page
from atrium.contracts.groups import (
    Group,
    GroupCreate,
    GroupDeletion,
    GroupUpdate,
    Member,
    MemberAdd,
    MemberUpdate,
)
from atrium.server.api.deps import Ctx, Paging, Services
from atrium.server.api.routes import ERRORS

router = APIRouter(prefix="/groups", tags=["groups"], responses=ERRORS)
GroupName = Annotated[str, Path(max_length=63)]
Username = Annotated[str, Path(max_length=63)]


@router.get("", name="groups.list")
def list_groups(ctx: Ctx, hub: Services, paging: Paging) -> Page[Group]:
    return hub.groups.list(ctx, paging.limit, paging.cursor)


@router.post("", status_code=201, name="groups.create")
def create_group(body: GroupCreate, ctx: Ctx, hub: Services) -> Group:
    return hub.groups.create(ctx, body)


@router.get("/{group}", name="groups.get")
def get_group(group: GroupName, ctx: Ctx, hub: Services) -> Group:
    return hub.groups.get(ctx, group)


@router.patch("/{group}", name="groups.update")
def update_group(group: GroupName, body: GroupUpdate, ctx: Ctx, hub: Services) -> Group:
    return hub.groups.update(ctx, group, body)


@router.delete("/{group}", name="groups.delete")
def delete_group(
    group: GroupName,
    ctx: Ctx,
    hub: Services,
    preview: Annotated[bool, Query(description="Only list what would be deleted")] = False,
) -> GroupDeletion:
    return hub.groups.delete(ctx, group, preview)


@router.get("/{group}/members", name="members.list")
def list_members(group: GroupName, ctx: Ctx, hub: Services, paging: Paging) -> Page[Member]:
    return hub.members.list(ctx, group, paging.limit, paging.cursor)


@router.post("/{group}/members", status_code=201, name="members.add")
def add_member(group: GroupName, body: MemberAdd, ctx: Ctx, hub: Services) -> Member:
    return hub.members.add(ctx, group, body)


@router.get("/{group}/members/{username}", name="members.get")
def get_member(group: GroupName, username: Username, ctx: Ctx, hub: Services) -> Member:
    return hub.members.get(ctx, group, username)


@router.patch("/{group}/members/{username}", name="members.update")
def update_member(
    group: GroupName, username: Username, body: MemberUpdate, ctx: Ctx, hub: Services
) -> Member:
    return hub.members.update(ctx, group, username, body)


@router.delete("/{group}/members/{username}", status_code=204, name="members.remove")
def remove_member(group: GroupName, username: Username, ctx: Ctx, hub: Services) -> Response:
    hub.members.remove(ctx, group, username)
    return Response(status_code=204)
