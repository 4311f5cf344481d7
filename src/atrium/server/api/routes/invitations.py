"""Group invitations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from atrium.contracts.common import Page
from atrium.contracts.invitations import (
    Invitation,
    InvitationAccept,
    InvitationAccepted,
    InvitationCreate,
    InvitationCreated,
    InvitationPreview,
    InvitationToken,
)
from atrium.server.api.deps import Ctx, Paging, Services
from atrium.server.api.routes import ERRORS

router = APIRouter(prefix="/invitations", tags=["invitations"], responses=ERRORS)


@router.get("", name="invitations.list")
def list_invitations(
    ctx: Ctx,
    hub: Services,
    paging: Paging,
    group: Annotated[str, Query(max_length=63, description="The group whose invitations to list")],
) -> Page[Invitation]:
    return hub.invitations.list(ctx, group, paging.limit, paging.cursor)


@router.post("", status_code=201, name="invitations.create")
def create_invitation(body: InvitationCreate, ctx: Ctx, hub: Services) -> InvitationCreated:
    return hub.invitations.create(ctx, body)


@router.delete("/{invitation_id}", status_code=204, name="invitations.revoke")
def revoke_invitation(
    invitation_id: Annotated[str, Path(max_length=32)], ctx: Ctx, hub: Services
) -> Response:
    hub.invitations.revoke(ctx, invitation_id)
    return Response(status_code=204)


@router.post("/preview", name="invitations.preview")
def preview_invitation(body: InvitationToken, hub: Services) -> InvitationPreview:
    return hub.invitations.preview(body.token)


@router.post("/accept", name="invitations.accept")
def accept_invitation(body: InvitationAccept, ctx: Ctx, hub: Services) -> InvitationAccepted:
    return hub.invitations.accept(ctx, body)
