"""The caller's API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Path, Response

from atrium.contracts.common import Page
from atrium.contracts.tokens import Token, TokenCreate, TokenCreated
from atrium.server.api.deps import Ctx, Paging, Services
from atrium.server.api.routes import ERRORS

router = APIRouter(prefix="/tokens", tags=["tokens"], responses=ERRORS)
TokenId = Path(max_length=32)


@router.get("", name="tokens.list")
def list_tokens(ctx: Ctx, hub: Services, paging: Paging) -> Page[Token]:
    return hub.auth.list_tokens(ctx, paging.limit, paging.cursor)


@router.post("", status_code=201, name="tokens.create")
def create_token(body: TokenCreate, ctx: Ctx, hub: Services) -> TokenCreated:
    return hub.auth.create_token(ctx, body)


@router.get("/{token_id}", name="tokens.get")
def get_token(ctx: Ctx, hub: Services, token_id: str = TokenId) -> Token:
    return hub.auth.get_token(ctx, token_id)


@router.delete("/{token_id}", status_code=204, name="tokens.revoke")
def revoke_token(ctx: Ctx, hub: Services, token_id: str = TokenId) -> Response:
    hub.auth.revoke_token(ctx, token_id)
    return Response(status_code=204)
