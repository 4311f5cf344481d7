"""Writing and reading the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from atrium.contracts.audit import AuditEvent
from atrium.contracts.common import Page
from atrium.server.domain.audit import AuditQuery
from atrium.server.domain.clock import Clock
from atrium.server.domain.errors import Forbidden, Unauthenticated
from atrium.server.domain.model import Context, Outcome
from atrium.server.services import policy
from atrium.server.store import audit as audit_store
from atrium.server.store import groups as group_store
from atrium.server.store.db import Database
from atrium.server.store.tables import AuditEventRow


class Auditor:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def record(
        self,
        session: Session,
        ctx: Context,
        action: str,
        resource_type: str,
        resource_id: str | None,
        group: str | None = None,
        *,
        outcome: Outcome = Outcome.SUCCESS,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Add the event to the caller's transaction: it commits with the change or not at all."""
        audit_store.add(
            session,
            AuditEventRow(
                time=self.clock.now(),
                actor=ctx.principal.username,
                action=action,
                resource_type=resource_type,
                resource_id=resource_id,
                group_name=group,
                request_id=ctx.meta.request_id,
                client_addr=ctx.meta.client_addr,
                outcome=outcome.value,
                details=details,
            ),
        )


def to_event(row: AuditEventRow) -> AuditEvent:
    return AuditEvent(
        id=row.id,
        time=row.time,
        actor=row.actor,
        action=row.action,
        resource_type=row.resource_type,
        resource_id=row.resource_id,
        group=row.group_name,
        request_id=row.request_id,
        client_addr=row.client_addr,
        outcome=row.outcome,
        details=row.details,
    )


class AuditService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def list(
        self, ctx: Context, query: AuditQuery, limit: int, cursor: str | None
    ) -> Page[AuditEvent]:
        """Platform admins see everything; group admins see the groups they administer."""
        principal = ctx.principal
        if not principal.authenticated or principal.user_id is None:
            raise Unauthenticated("sign in first: send a bearer token or log in")
        with self.db.read() as session:
            if not principal.is_admin:
                query = self._scope_to_admin_groups(session, ctx, query)
            rows, next_cursor = audit_store.list_page(session, query, limit, cursor)
            return Page[AuditEvent](items=[to_event(r) for r in rows], next_cursor=next_cursor)

    @staticmethod
    def _scope_to_admin_groups(session: Session, ctx: Context, query: AuditQuery) -> AuditQuery:
        if query.group is not None:
            policy.require_group(session, ctx.principal, query.group, "audit.read")
            return query
        assert ctx.principal.user_id is not None
        administered = [
            g.name
            for g, role in group_store.roles_of(session, ctx.principal.user_id)
            if policy.allows(
                policy.S.GROUP_ADMIN if role == "admin" else policy.S.MEMBER, "audit.read"
            )
        ]
        if not administered:
            raise Forbidden("only platform admins and group admins may read the audit log")
        return AuditQuery(**{**query.__dict__, "groups_in": administered})
