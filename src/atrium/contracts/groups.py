"""Groups and their members."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from atrium.contracts.common import Description, DisplayName, Input, Name

RoleName = Literal["member", "admin"]


class Group(BaseModel):
    name: str
    display_name: str | None
    description: str | None
    created_at: datetime
    member_count: int
    my_role: RoleName | None


class GroupCreate(Input):
    name: Name
    display_name: DisplayName | None = None
    description: Description | None = None


class GroupUpdate(Input):
    display_name: DisplayName | None = None
    description: Description | None = None


class GroupDeletion(BaseModel):
    group: str
    deleted: bool
    resources: dict[str, int]


class Member(BaseModel):
    username: str
    display_name: str | None
    email: str | None
    role: RoleName
    joined_at: datetime


class MemberAdd(Input):
    username: Name
    role: RoleName = "member"


class MemberUpdate(Input):
    role: RoleName
