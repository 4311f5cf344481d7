"""Sign-in, sessions, API tokens and turning a presented secret into a principal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from atrium.contracts.common import Page
from atrium.contracts.tokens import Token, TokenCreate, TokenCreated
from atrium.contracts.users import LoginRequest
from atrium.server.domain.clock import Clock
from atrium.server.domain.errors import Forbidden, NotFound, Unauthenticated
from atrium.server.domain.model import Context, Principal
from atrium.server.services import security
from atrium.server.services.audit import Auditor
from atrium.server.store import tokens as token_store
from atrium.server.store import users as user_store
from atrium.server.store.db import Database
from atrium.server.store.tables import TokenRow, UserRow

SESSION = "session"
API = "api"
JOB = "job"
# last_used_at is a hint for humans; writing it on every request would turn reads into writes.
TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class LoginResult:
    token: str
    csrf_token: str
    expires_at: datetime
    user: UserRow


@dataclass(frozen=True)
class Authenticated:
    principal: Principal
    csrf_hash: str | None


def to_token(row: TokenRow) -> Token:
    return Token(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
    )


class AuthService:
    def __init__(self, db: Database, clock: Clock, auditor: Auditor, session_ttl: timedelta):
        self.db = db
        self.clock = clock
        self.auditor = auditor
        self.session_ttl = session_ttl

    def login(self, ctx: Context, body: LoginRequest) -> LoginResult:
        with self.db.read() as s:
            user = user_store.by_username(s, body.username)
        ok = security.verify_password(user.password_hash if user else None, body.password)
        if user is None or not ok or not user.enabled:
            # Same message for every cause: which usernames exist is nobody's business.
            raise Unauthenticated("wrong username or password")
        secret, csrf = security.new_secret("ats"), security.new_secret("csrf")
        expires = self.clock.now() + self.session_ttl
        with self.db.write() as s:
            self._issue(s, user.id, SESSION, "dashboard session", secret, expires, csrf)
            self.auditor.record(s, _as(ctx, user), "auth.login", "user", user.username)
        return LoginResult(token=secret, csrf_token=csrf, expires_at=expires, user=user)

    def logout(self, ctx: Context) -> None:
        token_id = ctx.principal.token_id
        if token_id is None:
            raise Unauthenticated("not signed in")
        with self.db.write() as s:
            row = token_store.by_id(s, token_id)
            if row is not None and row.revoked_at is None:
                row.revoked_at = self.clock.now()
            self.auditor.record(s, ctx, "auth.logout", "user", ctx.principal.username)

    def authenticate(self, secret: str, via_cookie: bool) -> Authenticated:
        now = self.clock.now()
        with self.db.query() as s:
            found = token_store.by_secret_hash(s, security.digest(secret))
        if found is None:
            raise Unauthenticated("the token is not valid: log in again or create a new token")
        token, user = found
        if token.revoked_at is not None:
            raise Unauthenticated("the token was revoked: log in again or create a new token")
        if token.expires_at is not None and token.expires_at <= now:
            raise Unauthenticated("the token has expired: log in again or create a new token")
        if not user.enabled:
            raise Unauthenticated("this account is disabled: ask a platform admin")
        if token.last_used_at is None or now - token.last_used_at > TOUCH_INTERVAL:
            with self.db.write() as s:
                token_store.touch(s, token.id, now)
        # A job token never carries its owner's platform-admin rights out of the job's group.
        is_admin = user.is_admin and token.group_id is None
        principal = Principal(
            user.id, user.username, is_admin, token.id, via_cookie, scope_group_id=token.group_id
        )
        return Authenticated(principal, token.csrf_hash)

    def create_token(self, ctx: Context, body: TokenCreate) -> TokenCreated:
        user_id = _user_id(ctx)
        if ctx.principal.scope_group_id is not None:
            raise Forbidden("a job's token cannot create other tokens")
        secret = security.new_secret("atr")
        expires = None
        if body.expires_in_days is not None:
            expires = self.clock.now() + timedelta(days=body.expires_in_days)
        with self.db.write() as s:
            row = self._issue(s, user_id, API, body.name, secret, expires, None)
            self.auditor.record(
                s, ctx, "token.create", "token", row.id, details={"name": body.name}
            )
        return TokenCreated(**to_token(row).model_dump(), token=secret)

    def list_tokens(self, ctx: Context, limit: int, cursor: str | None) -> Page[Token]:
        with self.db.read() as s:
            rows, nxt = token_store.list_page(s, _user_id(ctx), API, limit, cursor)
            return Page[Token](items=[to_token(r) for r in rows], next_cursor=nxt)

    def get_token(self, ctx: Context, token_id: str) -> Token:
        with self.db.read() as s:
            return to_token(self._own_token(s, ctx, token_id))

    def revoke_token(self, ctx: Context, token_id: str) -> None:
        with self.db.write() as s:
            row = self._own_token(s, ctx, token_id)
            row.revoked_at = self.clock.now()
            self.auditor.record(s, ctx, "token.revoke", "token", token_id)

    def _own_token(self, s: Session, ctx: Context, token_id: str) -> TokenRow:
        row = token_store.by_id(s, token_id)
        if row is None or row.user_id != _user_id(ctx) or row.kind != API or row.revoked_at:
            raise NotFound(f"token {token_id!r} not found")
        return row

    def _issue(
        self,
        s: Session,
        user_id: int,
        kind: str,
        name: str,
        secret: str,
        expires: datetime | None,
        csrf: str | None,
    ) -> TokenRow:
        row = TokenRow(
            id=security.new_id("tok"),
            user_id=user_id,
            kind=kind,
            name=name,
            prefix=secret[:8],
            secret_hash=security.digest(secret),
            csrf_hash=security.digest(csrf) if csrf else None,
            created_at=self.clock.now(),
            expires_at=expires,
        )
        return token_store.add(s, row)

    def issue_job_token(
        self, s: Session, user_id: int, group_id: int, name: str, expires: datetime
    ) -> tuple[str, str]:
        """A token acting as the job's owner inside the job's group only; (id, secret)."""
        secret = security.new_secret("atj")
        row = self._issue(s, user_id, JOB, name, secret, expires, None)
        row.group_id = group_id
        return row.id, secret

    def revoke_in(self, s: Session, token_id: str) -> None:
        row = token_store.by_id(s, token_id)
        if row is not None and row.revoked_at is None:
            row.revoked_at = self.clock.now()

    def new_session_for(self, s: Session, user: UserRow) -> tuple[str, datetime]:
        """A session token for a user created in the caller's transaction (invite sign-up)."""
        secret = security.new_secret("ats")
        expires = self.clock.now() + self.session_ttl
        self._issue(s, user.id, SESSION, "invitation sign-up", secret, expires, None)
        return secret, expires


def _user_id(ctx: Context) -> int:
    if ctx.principal.user_id is None:
        raise Unauthenticated("sign in first: send a bearer token or log in")
    return ctx.principal.user_id


def _as(ctx: Context, user: UserRow) -> Context:
    return Context(Principal(user.id, user.username, user.is_admin), ctx.meta)
