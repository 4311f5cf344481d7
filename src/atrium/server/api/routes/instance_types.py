"""Instance types."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from atrium.contracts.common import Page
from atrium.contracts.instance_types import InstanceType, InstanceTypeCreate, InstanceTypeUpdate
from atrium.server.api.deps import Ctx, Paging, Services
from atrium.server.api.routes import ERRORS

router = APIRouter(prefix="/instance-types", tags=["instance-types"], responses=ERRORS)
TypeName = Annotated[str, Path(max_length=63)]


@router.get("", name="instance_types.list")
def list_types(
    ctx: Ctx,
    hub: Services,
    paging: Paging,
    group: Annotated[
        str | None, Query(max_length=63, description="Only what this group may use")
    ] = None,
) -> Page[InstanceType]:
    return hub.instance_types.list(ctx, paging.limit, paging.cursor, group)


@router.post("", status_code=201, name="instance_types.create")
def create_type(body: InstanceTypeCreate, ctx: Ctx, hub: Services) -> InstanceType:
    return hub.instance_types.create(ctx, body)


@router.get("/{name}", name="instance_types.get")
def get_type(name: TypeName, ctx: Ctx, hub: Services) -> InstanceType:
    return hub.instance_types.get(ctx, name)


@router.patch("/{name}", name="instance_types.update")
def update_type(name: TypeName, body: InstanceTypeUpdate, ctx: Ctx, hub: Services) -> InstanceType:
    return hub.instance_types.update(ctx, name, body)


@router.delete("/{name}", status_code=204, name="instance_types.delete")
def delete_type(name: TypeName, ctx: Ctx, hub: Services) -> Response:
    hub.instance_types.delete(ctx, name)
    return Response(status_code=204)
