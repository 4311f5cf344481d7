"""Audit events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class AuditEvent(BaseModel):
    id: int
    time: datetime
    actor: str | None
    action: str
    resource_type: str
    resource_id: str | None
    group: str | None
    request_id: str | None
    client_addr: str | None
    outcome: str
    details: dict[str, Any] | None
