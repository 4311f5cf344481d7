"""The audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from atrium.contracts.audit import AuditEvent
from atrium.contracts.common import Page
from atrium.server.api.deps import Ctx, Paging, Services
from atrium.server.api.routes import ERRORS
from atrium.server.domain.audit import AuditQuery

router = APIRouter(prefix="/audit", tags=["audit"], responses=ERRORS)
Filter = Annotated[str | None, Query(max_length=100)]


@router.get("", name="audit.list")
def list_events(
    ctx: Ctx,
    hub: Services,
    paging: Paging,
    group: Filter = None,
    actor: Filter = None,
    action: Annotated[
        str | None, Query(max_length=100, description="Exact, or a prefix ending in '.'")
    ] = None,
    resource_type: Filter = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[AuditEvent]:
    query = AuditQuery(
        group=group,
        actor=actor,
        action=action,
        resource_type=resource_type,
        since=since,
        until=until,
    )
    return hub.audit.list(ctx, query, paging.limit, paging.cursor)
