"""One-time, expiring group invitations; accepting one can also create the account."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from atrium.contracts.common import Page
from atrium.contracts.invitations import (
    Invitation,
    InvitationAccept,
    InvitationAccepted,
    InvitationCreate,
    InvitationCreated,
    InvitationPreview,
)
from atrium.contracts.users import UserCreate
from atrium.server.domain.clock import Clock
from atrium.server.domain.errors import Conflict, InvalidInput, NotFound
from atrium.server.domain.model import Context, Principal
from atrium.server.services import policy, security
from atrium.server.services.audit import Auditor
from atrium.server.services.auth import AuthService
from atrium.server.services.users import UserService, to_user
from atrium.server.store import groups as group_store
from atrium.server.store import invitations as invitation_store
from atrium.server.store.db import Database
from atrium.server.store.tables import GroupRow, InvitationRow, MembershipRow, UserRow

GONE = "this invitation is not valid: it was used, revoked or has expired; ask for a new one"


def to_invitation(row: InvitationRow, group: str) -> Invitation:
    return Invitation(
        id=row.id,
        group=group,
        role=row.role,
        email=row.email,
        created_by=row.created_by,
        created_at=row.created_at,
        expires_at=row.expires_at,
        used_at=row.used_at,
        used_by=row.used_by,
    )


class InvitationService:
    def __init__(
        self, db: Database, clock: Clock, auditor: Auditor, users: UserService, auth: AuthService
    ) -> None:
        self.db = db
        self.clock = clock
        self.auditor = auditor
        self.users = users
        self.auth = auth

    def create(self, ctx: Context, body: InvitationCreate) -> InvitationCreated:
        secret = security.new_secret("inv")
        now = self.clock.now()
        with self.db.write() as s:
            group = policy.require_group(s, ctx.principal, body.group, "invitation.manage")
            row = invitation_store.add(
                s,
                InvitationRow(
                    id=security.new_id("inv"),
                    group_id=group.id,
                    role=body.role,
                    email=body.email,
                    secret_hash=security.digest(secret),
                    created_by=ctx.principal.username or "",
                    created_at=now,
                    expires_at=now + timedelta(hours=body.expires_in_hours),
                ),
            )
            details = {"role": body.role, "email": body.email}
            self.auditor.record(
                s, ctx, "invitation.create", "invitation", row.id, group.name, details=details
            )
            return InvitationCreated(**to_invitation(row, group.name).model_dump(), token=secret)

    def list(self, ctx: Context, group: str, limit: int, cursor: str | None) -> Page[Invitation]:
        with self.db.read() as s:
            row = policy.require_group(s, ctx.principal, group, "invitation.manage")
            rows, nxt = invitation_store.list_page(s, row.id, limit, cursor)
            return Page[Invitation](items=[to_invitation(r, group) for r in rows], next_cursor=nxt)

    def revoke(self, ctx: Context, invitation_id: str) -> None:
        with self.db.write() as s:
            row = invitation_store.by_id(s, invitation_id)
            group = group_store.by_id(s, row.group_id) if row else None
            if row is None or group is None:
                raise NotFound(f"invitation {invitation_id!r} not found")
            try:
                policy.require_group(s, ctx.principal, group.name, "invitation.manage")
            except NotFound:
                raise NotFound(f"invitation {invitation_id!r} not found") from None
            invitation_store.delete(s, row)
            self.auditor.record(
                s, ctx, "invitation.revoke", "invitation", invitation_id, group.name
            )

    def preview(self, token: str) -> InvitationPreview:
        with self.db.read() as s:
            row, group = self._usable(s, token)
            return InvitationPreview(group=group, role=row.role, expires_at=row.expires_at)

    def accept(self, ctx: Context, body: InvitationAccept) -> InvitationAccepted:
        """A signed-in caller joins; an anonymous caller signs up with a new account and joins."""
        new_hash = None
        if not ctx.principal.authenticated:
            if body.username is None or body.password is None:
                raise InvalidInput("to sign up with an invitation, give a username and a password")
            new_hash = security.hash_password(body.password)
        with self.db.write() as s:
            row, group = self._usable(s, body.token)
            session_token = None
            if new_hash is not None:
                user = self._sign_up(s, body, new_hash)
                session_token, _ = self.auth.new_session_for(s, user)
                ctx = Context(Principal(user.id, user.username), ctx.meta)
            else:
                user = s.get_one(UserRow, ctx.principal.user_id)
            self._join(s, row, user)
            self.auditor.record(s, ctx, "invitation.accept", "invitation", row.id, group)
            return InvitationAccepted(
                group=group, role=row.role, user=to_user(user), token=session_token
            )

    def _sign_up(self, s: Session, body: InvitationAccept, password_hash: str) -> UserRow:
        assert body.username is not None and body.password is not None
        create = UserCreate(
            username=body.username,
            password=body.password,
            email=body.email,
            display_name=body.display_name,
        )
        return self.users.insert(s, create, password_hash)

    def _join(self, s: Session, row: InvitationRow, user: UserRow) -> None:
        if group_store.membership(s, row.group_id, user.id) is not None:
            raise Conflict(f"{user.username!r} is already a member of this group")
        now = self.clock.now()
        group_store.add_membership(
            s, MembershipRow(group_id=row.group_id, user_id=user.id, role=row.role, created_at=now)
        )
        row.used_at = now
        row.used_by = user.username

    def _usable(self, s: Session, token: str) -> tuple[InvitationRow, str]:
        row = invitation_store.by_secret_hash(s, security.digest(token))
        if row is None or row.used_at is not None or row.expires_at <= self.clock.now():
            raise NotFound(GONE)
        return row, s.get_one(GroupRow, row.group_id).name
