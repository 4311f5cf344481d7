"""Group secrets: group admins write them, members see names, jobs get the values as env vars.

A value leaves the server only into a job's environment (``values_in``); the API, the audit
log and error messages carry names and metadata, never values.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from atrium.contracts.common import Page
from atrium.contracts.secrets import Secret, SecretCreate, SecretUpdate
from atrium.server.domain.clock import Clock
from atrium.server.domain.errors import Conflict, InvalidInput, NotFound
from atrium.server.domain.model import Context
from atrium.server.services import policy
from atrium.server.services.audit import Auditor
from atrium.server.services.secret_box import Sealed, SecretBox
from atrium.server.store import secrets as secret_store
from atrium.server.store.db import Database
from atrium.server.store.tables import GroupRow, SecretRow


def _to_secret(row: SecretRow, group: str) -> Secret:
    return Secret(
        name=row.name,
        group=group,
        created_at=row.created_at,
        created_by=row.created_by,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


class SecretService:
    def __init__(self, db: Database, clock: Clock, auditor: Auditor, box: SecretBox) -> None:
        self.db = db
        self.clock = clock
        self.auditor = auditor
        self.box = box

    def list(self, ctx: Context, group: str, limit: int, cursor: str | None) -> Page[Secret]:
        with self.db.read() as s:
            g = policy.require_group(s, ctx.principal, group, "secret.read")
            rows, nxt = secret_store.list_page(s, g.id, limit, cursor)
            return Page[Secret](items=[_to_secret(r, g.name) for r in rows], next_cursor=nxt)

    def get(self, ctx: Context, group: str, name: str) -> Secret:
        with self.db.read() as s:
            g = policy.require_group(s, ctx.principal, group, "secret.read")
            return _to_secret(_require(s, g, name), g.name)

    def create(self, ctx: Context, group: str, body: SecretCreate) -> Secret:
        with self.db.write() as s:
            g = policy.require_group(s, ctx.principal, group, "secret.manage")
            if secret_store.by_name(s, g.id, body.name) is not None:
                raise Conflict(
                    f"secret {body.name!r} already exists in {group!r}: update it instead"
                )
            sealed = self.box.seal(g.id, body.name, body.value)
            now, who = self.clock.now(), ctx.principal.username
            row = SecretRow(
                group_id=g.id,
                name=body.name,
                ciphertext=sealed.ciphertext,
                nonce=sealed.nonce,
                key_id=sealed.key_id,
                created_at=now,
                created_by=who,
                updated_at=now,
                updated_by=who,
            )
            secret_store.add(s, row)
            self.auditor.record(s, ctx, "secret.create", "secret", body.name, g.name)
            return _to_secret(row, g.name)

    def update(self, ctx: Context, group: str, name: str, body: SecretUpdate) -> Secret:
        with self.db.write() as s:
            g = policy.require_group(s, ctx.principal, group, "secret.manage")
            row = _require(s, g, name)
            sealed = self.box.seal(g.id, name, body.value)
            row.ciphertext, row.nonce, row.key_id = sealed.ciphertext, sealed.nonce, sealed.key_id
            row.updated_at, row.updated_by = self.clock.now(), ctx.principal.username
            self.auditor.record(s, ctx, "secret.update", "secret", name, g.name)
            return _to_secret(row, g.name)

    def delete(self, ctx: Context, group: str, name: str) -> None:
        with self.db.write() as s:
            g = policy.require_group(s, ctx.principal, group, "secret.manage")
            secret_store.remove(s, _require(s, g, name))
            self.auditor.record(s, ctx, "secret.delete", "secret", name, g.name)

    def check_names_in(self, s: Session, group_id: int, names: Sequence[str]) -> None:
        """Refuse a job spec naming secrets the group does not have (at submit time)."""
        _refuse_unknown(names, secret_store.by_names(s, group_id, names))

    def values_in(self, s: Session, group_id: int, names: Sequence[str]) -> dict[str, str]:
        """Decrypted values for a job's environment. Only the job launcher calls this."""
        rows = secret_store.by_names(s, group_id, names)
        _refuse_unknown(names, rows)
        return {
            r.name: self.box.open(group_id, r.name, Sealed(r.ciphertext, r.nonce, r.key_id))
            for r in rows
        }


def _refuse_unknown(names: Sequence[str], rows: Sequence[SecretRow]) -> None:
    unknown = sorted(set(names) - {r.name for r in rows})
    if unknown:
        raise InvalidInput(
            f"unknown secret(s): {', '.join(unknown)}; create them first with `atrium secrets set`",
            {"unknown": unknown},
        )


def _require(s: Session, group: GroupRow, name: str) -> SecretRow:
    row = secret_store.by_name(s, group.id, name)
    if row is None:
        raise NotFound(f"secret {name!r} not found in {group.name!r}")
    return row
