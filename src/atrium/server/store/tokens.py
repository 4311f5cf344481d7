"""API token and session queries (secrets are stored as SHA-256 hashes only)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from atrium.server.store.paging import page
from atrium.server.store.tables import TokenRow, UserRow


def by_secret_hash(session: Session, secret_hash: str) -> tuple[TokenRow, UserRow] | None:
    stmt = (
        select(TokenRow, UserRow)
        .join(UserRow, UserRow.id == TokenRow.user_id)
        .where(TokenRow.secret_hash == secret_hash)
    )
    row = session.execute(stmt).tuples().first()
    return (row[0], row[1]) if row else None


def by_id(session: Session, token_id: str) -> TokenRow | None:
    return session.get(TokenRow, token_id)


def list_page(
    session: Session, user_id: int, kind: str, limit: int, cursor: str | None
) -> tuple[Sequence[TokenRow], str | None]:
    stmt = select(TokenRow).where(
        TokenRow.user_id == user_id, TokenRow.kind == kind, TokenRow.revoked_at.is_(None)
    )
    return page(session, stmt, TokenRow.id, limit, cursor)


def add(session: Session, row: TokenRow) -> TokenRow:
    session.add(row)
    session.flush()
    return row


def touch(session: Session, token_id: str, when: datetime) -> None:
    session.execute(update(TokenRow).where(TokenRow.id == token_id).values(last_used_at=when))


def revoke_all(session: Session, user_id: int, when: datetime, kind: str | None = None) -> int:
    stmt = update(TokenRow).where(TokenRow.user_id == user_id, TokenRow.revoked_at.is_(None))
    if kind is not None:
        stmt = stmt.where(TokenRow.kind == kind)
    return session.execute(stmt.values(revoked_at=when)).rowcount  # type: ignore[attr-defined,no-any-return]
