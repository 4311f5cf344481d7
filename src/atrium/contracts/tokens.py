"""API tokens."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from atrium.contracts.common import DisplayName, Input


class Token(BaseModel):
    id: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class TokenCreate(Input):
    name: DisplayName = Field(min_length=1, max_length=100)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class TokenCreated(Token):
    token: str = Field(description="The secret. Shown once; only its hash is stored.")
