"""User accounts: platform admins manage them; everyone reads themselves."""

from __future__ import annotations

from sqlalchemy.orm import Session

from atrium.contracts.common import Page
from atrium.contracts.users import (
    Me,
    MyGroup,
    PasswordChange,
    PasswordReset,
    User,
    UserCreate,
    UserUpdate,
)
from atrium.server.domain.clock import Clock
from atrium.server.domain.errors import Conflict, Forbidden, NotFound, Unauthenticated
from atrium.server.domain.model import Context
from atrium.server.services import policy, security
from atrium.server.services.audit import Auditor
from atrium.server.store import groups as group_store
from atrium.server.store import tokens as token_store
from atrium.server.store import users as user_store
from atrium.server.store.db import Database
from atrium.server.store.tables import UserRow


def to_user(row: UserRow) -> User:
    return User(
        username=row.username,
        email=row.email,
        display_name=row.display_name,
        is_admin=row.is_admin,
        enabled=row.enabled,
        created_at=row.created_at,
    )


class UserService:
    def __init__(self, db: Database, clock: Clock, auditor: Auditor) -> None:
        self.db = db
        self.clock = clock
        self.auditor = auditor

    def me(self, ctx: Context) -> Me:
        with self.db.read() as s:
            user = self._self_row(s, ctx)
            groups = [
                MyGroup(name=g.name, display_name=g.display_name, role=role)
                for g, role in group_store.roles_of(s, user.id)
            ]
            return Me(**to_user(user).model_dump(), groups=groups)

    def change_own_password(self, ctx: Context, body: PasswordChange) -> None:
        with self.db.read() as s:
            user = self._self_row(s, ctx)
        if not security.verify_password(user.password_hash, body.current_password):
            raise Forbidden("the current password is wrong")
        new_hash = security.hash_password(body.new_password)
        with self.db.write() as s:
            row = self._self_row(s, ctx)
            row.password_hash = new_hash
            row.updated_at = self.clock.now()
            self.auditor.record(s, ctx, "user.password_change", "user", row.username)

    def list(self, ctx: Context, limit: int, cursor: str | None, q: str | None) -> Page[User]:
        policy.require_hub(ctx.principal, "user.manage")
        with self.db.read() as s:
            rows, nxt = user_store.list_page(s, limit, cursor, q)
            return Page[User](items=[to_user(r) for r in rows], next_cursor=nxt)

    def get(self, ctx: Context, username: str) -> User:
        policy.require_hub(ctx.principal, "hub.read")
        if username != ctx.principal.username:
            policy.require_hub(ctx.principal, "user.manage")
        with self.db.read() as s:
            return to_user(self._row(s, username))

    def create(self, ctx: Context, body: UserCreate) -> User:
        policy.require_hub(ctx.principal, "user.manage")
        password_hash = security.hash_password(body.password)
        with self.db.write() as s:
            row = self.insert(s, body, password_hash)
            details = {"is_admin": body.is_admin}
            self.auditor.record(s, ctx, "user.create", "user", row.username, details=details)
            return to_user(row)

    def insert(self, s: Session, body: UserCreate, password_hash: str) -> UserRow:
        if user_store.by_username(s, body.username) is not None:
            raise Conflict(f"user {body.username!r} already exists")
        now = self.clock.now()
        row = UserRow(
            username=body.username,
            email=body.email,
            display_name=body.display_name,
            password_hash=password_hash,
            is_admin=body.is_admin,
            enabled=True,
            created_at=now,
            updated_at=now,
        )
        return user_store.add(s, row)

    def update(self, ctx: Context, username: str, body: UserUpdate) -> User:
        policy.require_hub(ctx.principal, "user.manage")
        changes = body.model_dump(exclude_unset=True)
        with self.db.write() as s:
            row = self._row(s, username)
            self._guard_last_admin(s, row, changes)
            for field, value in changes.items():
                setattr(row, field, value)
            row.updated_at = self.clock.now()
            if changes.get("enabled") is False:
                token_store.revoke_all(s, row.id, self.clock.now())
            self.auditor.record(s, ctx, "user.update", "user", username, details=changes)
            return to_user(row)

    def reset_password(self, ctx: Context, username: str, body: PasswordReset) -> None:
        policy.require_hub(ctx.principal, "user.manage")
        new_hash = security.hash_password(body.password)
        with self.db.write() as s:
            row = self._row(s, username)
            row.password_hash = new_hash
            row.updated_at = self.clock.now()
            token_store.revoke_all(s, row.id, self.clock.now(), kind="session")
            self.auditor.record(s, ctx, "user.password_reset", "user", username)

    def delete(self, ctx: Context, username: str) -> None:
        policy.require_hub(ctx.principal, "user.manage")
        with self.db.write() as s:
            row = self._row(s, username)
            if row.id == ctx.principal.user_id:
                raise Conflict("you cannot delete your own account")
            self._guard_last_admin(s, row, {"enabled": False})
            user_store.delete(s, row)
            self.auditor.record(s, ctx, "user.delete", "user", username)

    @staticmethod
    def _guard_last_admin(s: Session, row: UserRow, changes: dict[str, object]) -> None:
        demoted = changes.get("is_admin") is False or changes.get("enabled") is False
        if row.is_admin and row.enabled and demoted and user_store.count_admins(s) <= 1:
            raise Conflict("this is the last enabled platform admin: promote another user first")

    @staticmethod
    def _row(s: Session, username: str) -> UserRow:
        row = user_store.by_username(s, username)
        if row is None:
            raise NotFound(f"user {username!r} not found")
        return row

    @staticmethod
    def _self_row(s: Session, ctx: Context) -> UserRow:
        if ctx.principal.user_id is None:
            raise Unauthenticated("sign in first: send a bearer token or log in")
        row = user_store.by_id(s, ctx.principal.user_id)
        if row is None:
            raise Unauthenticated("your account no longer exists")
        return row
