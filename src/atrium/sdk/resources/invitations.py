"""Invitations: single-use tokens that let someone join a group (creating an account if needed)."""

from __future__ import annotations

from collections.abc import Iterator

from atrium.sdk.models import (
    CreatedInvitation,
    Invitation,
    InvitationAcceptance,
    InvitationPreview,
    Page,
)
from atrium.sdk.resources._base import Resource, compact, seg


class InvitationsResource(Resource):
    def list(
        self, group: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[Invitation]:
        params = {"group": group, "limit": limit, "cursor": cursor}
        return self._http.page("/invitations", Invitation.from_api, params)

    def iter_all(self, group: str) -> Iterator[Invitation]:
        return self._http.iterate("/invitations", Invitation.from_api, {"group": group})

    def create(
        self,
        group: str,
        role: str = "member",
        email: str | None = None,
        expires_in_hours: int | None = None,
    ) -> CreatedInvitation:
        """Create an invitation; hand ``.token`` to the invitee (it is shown only once)."""
        body = compact(group=group, role=role, email=email, expires_in_hours=expires_in_hours)
        return CreatedInvitation.from_api(self._http.request("POST", "/invitations", json=body))

    def revoke(self, invitation_id: str) -> None:
        self._http.request("DELETE", f"/invitations/{seg(invitation_id)}")

    def preview(self, token: str) -> InvitationPreview:
        """What the invitation grants; works without signing in."""
        body = self._http.request("POST", "/invitations/preview", json={"token": token})
        return InvitationPreview.from_api(body)

    def accept(
        self,
        token: str,
        username: str | None = None,
        password: str | None = None,
        email: str | None = None,
        display_name: str | None = None,
    ) -> InvitationAcceptance:
        """Join the group: as the signed-in user, or as a new account from username+password.

        A new account also gets a session token (``result.token``); it is not set on this
        client, so that accepting on someone's behalf never changes who the client acts as.
        """
        body = compact(
            token=token,
            username=username,
            password=password,
            email=email,
            display_name=display_name,
        )
        result = self._http.request("POST", "/invitations/accept", json=body)
        return InvitationAcceptance.from_api(result)
