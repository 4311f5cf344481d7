"""Invitation queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from atrium.server.store.paging import page
from atrium.server.store.tables import InvitationRow


def by_id(session: Session, invitation_id: str) -> InvitationRow | None:
    return session.get(InvitationRow, invitation_id)


def by_secret_hash(session: Session, secret_hash: str) -> InvitationRow | None:
    return session.scalar(select(InvitationRow).where(InvitationRow.secret_hash == secret_hash))


def list_page(
    session: Session, group_id: int, limit: int, cursor: str | None
) -> tuple[Sequence[InvitationRow], str | None]:
    stmt = select(InvitationRow).where(InvitationRow.group_id == group_id)
    return page(session, stmt, InvitationRow.id, limit, cursor)


def add(session: Session, row: InvitationRow) -> InvitationRow:
    session.add(row)
    session.flush()
    return row


def delete(session: Session, row: InvitationRow) -> None:
    session.delete(row)
    session.flush()
