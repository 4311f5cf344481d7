"""The audit log: who did what, when, from where, with which outcome."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TypedDict, Unpack

from atrium.sdk.models import AuditEvent, Page
from atrium.sdk.resources._base import Resource


class AuditFilters(TypedDict, total=False):
    """Filters of the audit log; ``since``/``until`` take datetimes or ISO 8601 strings."""

    group: str
    actor: str
    action: str
    resource_type: str
    since: datetime | str
    until: datetime | str


class AuditQuery(AuditFilters, total=False):
    """Filters plus paging: page size (1..500) and the previous page's ``next_cursor``."""

    limit: int | None
    cursor: str | None


class AuditResource(Resource):
    def list(self, **query: Unpack[AuditQuery]) -> Page[AuditEvent]:
        """One page of events, newest first (platform admins: all; group admins: their groups)."""
        return self._http.page("/audit", AuditEvent.from_api, dict(query))

    def iter_all(self, **filters: Unpack[AuditFilters]) -> Iterator[AuditEvent]:
        """Every matching event, fetching pages as the iteration goes."""
        return self._http.iterate("/audit", AuditEvent.from_api, dict(filters))
