"""Group secrets: names and metadata out, values only in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from atrium.contracts.common import Page
from atrium.contracts.secrets import Secret, SecretCreate, SecretUpdate
from atrium.server.api.deps import Ctx, Paging, Services
from atrium.server.api.routes import ERRORS

router = APIRouter(prefix="/groups/{group}/secrets", tags=["secrets"], responses=ERRORS)
GroupName = Annotated[str, Path(max_length=63)]
SecretName = Annotated[str, Path(max_length=128)]


@router.get("", name="secrets.list")
def list_secrets(group: GroupName, ctx: Ctx, hub: Services, paging: Paging) -> Page[Secret]:
    return hub.secrets.list(ctx, group, paging.limit, paging.cursor)


@router.post("", status_code=201, name="secrets.create")
def create_secret(group: GroupName, body: SecretCreate, ctx: Ctx, hub: Services) -> Secret:
    return hub.secrets.create(ctx, group, body)


@router.get("/{name}", name="secrets.get")
def get_secret(group: GroupName, name: SecretName, ctx: Ctx, hub: Services) -> Secret:
    return hub.secrets.get(ctx, group, name)


@router.put("/{name}", name="secrets.update")
def update_secret(
    group: GroupName, name: SecretName, body: SecretUpdate, ctx: Ctx, hub: Services
) -> Secret:
    return hub.secrets.update(ctx, group, name, body)


@router.delete("/{name}", status_code=204, name="secrets.delete")
def delete_secret(group: GroupName, name: SecretName, ctx: Ctx, hub: Services) -> Response:
    hub.secrets.delete(ctx, group, name)
    return Response(status_code=204)
