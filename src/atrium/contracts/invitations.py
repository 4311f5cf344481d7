"""One-time group invitations."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from atrium.contracts.common import DisplayName, Email, Input, Name, Password
from atrium.contracts.groups import RoleName
from atrium.contracts.users import User


class Invitation(BaseModel):
    id: str
    group: str
    role: RoleName
    email: str | None
    created_by: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    used_by: str | None


class InvitationCreate(Input):
    group: Name
    role: RoleName = "member"
    email: Email | None = None
    expires_in_hours: int = Field(default=72, ge=1, le=24 * 90)


class InvitationCreated(Invitation):
    token: str = Field(description="The one-time secret to hand to the invitee. Shown once.")


class InvitationToken(Input):
    token: str = Field(max_length=200)


class InvitationPreview(BaseModel):
    group: str
    role: RoleName
    expires_at: datetime


class InvitationAccept(Input):
    token: str = Field(max_length=200)
    username: Name | None = None
    password: Password | None = None
    email: Email | None = None
    display_name: DisplayName | None = None


class InvitationAccepted(BaseModel):
    group: str
    role: RoleName
    user: User
    token: str | None = Field(default=None, description="A session token for a new account")
