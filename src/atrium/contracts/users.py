"""Users, sign-in and the caller's own profile."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from atrium.contracts.common import DisplayName, Email, Input, Name, Password


class User(BaseModel):
    username: str
    email: str | None
    display_name: str | None
    is_admin: bool
    enabled: bool
    created_at: datetime


class UserCreate(Input):
    username: Name
    password: Password
    email: Email | None = None
    display_name: DisplayName | None = None
    is_admin: bool = False


class UserUpdate(Input):
    email: Email | None = None
    display_name: DisplayName | None = None
    is_admin: bool | None = None
    enabled: bool | None = None

    @field_validator("is_admin", "enabled")
    @classmethod
    def _not_null(cls, value: bool | None) -> bool:
        # Omit a flag to leave it alone; null would mean neither yes nor no.
        if value is None:
            raise ValueError("must be true or false; omit the field to leave it unchanged")
        return value


class PasswordReset(Input):
    password: Password


class PasswordChange(Input):
    current_password: str = Field(max_length=1000)
    new_password: Password


class MyGroup(BaseModel):
    name: str
    display_name: str | None
    role: str


class Me(User):
    groups: list[MyGroup]


class LoginRequest(Input):
    username: str = Field(max_length=63)
    password: str = Field(max_length=1000)


class LoginResponse(BaseModel):
    token: str
    csrf_token: str
    expires_at: datetime
    user: User
