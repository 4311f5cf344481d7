"""Datasets, tags and grants."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from atrium.contracts.common import Page
from atrium.contracts.datasets import (
    Dataset,
    DatasetCreate,
    DatasetUpdate,
    Grant,
    GrantSet,
    Tag,
    TagSet,
)
from atrium.server.api.deps import Ctx, Paging, Services
from atrium.server.api.routes import ERRORS

router = APIRouter(prefix="/groups/{group}/datasets", tags=["datasets"], responses=ERRORS)
GroupName = Annotated[str, Path(max_length=63)]
DatasetName = Annotated[str, Path(max_length=63)]
TagName = Annotated[str, Path(max_length=63)]


@router.get("", name="datasets.list")
def list_datasets(group: GroupName, ctx: Ctx, hub: Services, paging: Paging) -> Page[Dataset]:
    return hub.datasets.list(ctx, group, paging.limit, paging.cursor)


@router.post("", status_code=201, name="datasets.create")
def create_dataset(group: GroupName, body: DatasetCreate, ctx: Ctx, hub: Services) -> Dataset:
    return hub.datasets.create(ctx, group, body)


@router.get("/{name}", name="datasets.get")
def get_dataset(group: GroupName, name: DatasetName, ctx: Ctx, hub: Services) -> Dataset:
    return hub.datasets.get(ctx, group, name)


@router.patch("/{name}", name="datasets.update")
def update_dataset(
    group: GroupName, name: DatasetName, body: DatasetUpdate, ctx: Ctx, hub: Services
) -> Dataset:
    return hub.datasets.update(ctx, group, name, body)


@router.delete("/{name}", status_code=204, name="datasets.delete")
def delete_dataset(group: GroupName, name: DatasetName, ctx: Ctx, hub: Services) -> Response:
    hub.datasets.delete(ctx, group, name)
    return Response(status_code=204)


@router.get("/{name}/tags", name="datasets.tags")
def list_tags(
    group: GroupName, name: DatasetName, ctx: Ctx, hub: Services, paging: Paging
) -> Page[Tag]:
    """``latest`` first, then the other tags by name."""
    return hub.datasets.tags(ctx, group, name, paging.limit, paging.cursor)


@router.put("/{name}/tags/{tag}", name="datasets.tag")
def set_tag(
    group: GroupName, name: DatasetName, tag: TagName, body: TagSet, ctx: Ctx, hub: Services
) -> Tag:
    return hub.datasets.set_tag(ctx, group, name, tag, body)


@router.delete("/{name}/tags/{tag}", status_code=204, name="datasets.untag")
def delete_tag(
    group: GroupName, name: DatasetName, tag: TagName, ctx: Ctx, hub: Services
) -> Response:
    hub.datasets.delete_tag(ctx, group, name, tag)
    return Response(status_code=204)


@router.get("/{name}/grants", name="datasets.grants")
def list_grants(
    group: GroupName, name: DatasetName, ctx: Ctx, hub: Services, paging: Paging
) -> Page[Grant]:
    """The groups the dataset is shared with, by name (members of the owner group only)."""
    return hub.datasets.grants(ctx, group, name, paging.limit, paging.cursor)


@router.put("/{name}/grants/{grantee}", name="datasets.grant")
def set_grant(
    group: GroupName,
    name: DatasetName,
    grantee: Annotated[str, Path(max_length=63)],
    body: GrantSet,
    ctx: Ctx,
    hub: Services,
) -> Grant:
    return hub.datasets.set_grant(ctx, group, name, grantee, body)


@router.delete("/{name}/grants/{grantee}", status_code=204, name="datasets.revoke")
def revoke_grant(
    group: GroupName,
    name: DatasetName,
    grantee: Annotated[str, Path(max_length=63)],
    ctx: Ctx,
    hub: Services,
) -> Response:
    hub.datasets.revoke_grant(ctx, group, name, grantee)
    return Response(status_code=204)
