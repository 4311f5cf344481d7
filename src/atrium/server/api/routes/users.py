"""User accounts (platform admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from atrium.contracts.common import Page
from atrium.contracts.users import PasswordReset, User, UserCreate, UserUpdate
from atrium.server.api.deps import Ctx, Paging, Services
from atrium.server.api.routes import ERRORS

router = APIRouter(prefix="/users", tags=["users"], responses=ERRORS)
Username = Annotated[str, Path(max_length=63)]


@router.get("", name="users.list")
def list_users(
    ctx: Ctx,
    hub: Services,
    paging: Paging,
    q: Annotated[
        str | None, Query(max_length=100, description="Substring of name or e-mail")
    ] = None,
) -> Page[User]:
    return hub.users.list(ctx, paging.limit, paging.cursor, q)


@router.post("", status_code=201, name="users.create")
def create_user(body: UserCreate, ctx: Ctx, hub: Services) -> User:
    return hub.users.create(ctx, body)


@router.get("/{username}", name="users.get")
def get_user(username: Username, ctx: Ctx, hub: Services) -> User:
    return hub.users.get(ctx, username)


@router.patch("/{username}", name="users.update")
def update_user(username: Username, body: UserUpdate, ctx: Ctx, hub: Services) -> User:
    return hub.users.update(ctx, username, body)


@router.post("/{username}/password", status_code=204, name="users.reset_password")
def reset_password(username: Username, body: PasswordReset, ctx: Ctx, hub: Services) -> Response:
    hub.users.reset_password(ctx, username, body)
    return Response(status_code=204)


@router.delete("/{username}", status_code=204, name="users.delete")
def delete_user(username: Username, ctx: Ctx, hub: Services) -> Response:
    hub.users.delete(ctx, username)
    return Response(status_code=204)
