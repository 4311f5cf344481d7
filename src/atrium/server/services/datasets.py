"""Datasets: create, list (own and shared), update, delete; tags; grants to other groups."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from atrium.contracts.common import Page
from atrium.contracts.datasets import (
    Dataset,
    DatasetCreate,
    DatasetUpdate,
    Grant,
    GrantSet,
    Tag,
    TagSet,
)
from atrium.server.domain.clock import Clock
from atrium.server.domain.errors import Conflict, InvalidInput, NotFound
from atrium.server.domain.model import Context, check_name
from atrium.server.services import dataset_access as access
from atrium.server.services import policy
from atrium.server.services.audit import Auditor
from atrium.server.services.dataset_access import Target
from atrium.server.store import datasets as ds_store
from atrium.server.store import groups as group_store
from atrium.server.store.db import Database
from atrium.server.store.paging import encode_cursor
from atrium.server.store.tables import DatasetGrantRow, DatasetRow, DatasetTagRow

RESERVED_TAGS = {"latest"}


def _to_datasets(s: Session, rows: Sequence[DatasetRow], viewer_group: int) -> list[Dataset]:
    counts = ds_store.counts(s, [r.id for r in rows])
    names = ds_store.group_names(s, [r.group_id for r in rows])
    result = []
    for r in rows:
        count, latest = counts.get(r.id, (0, None))
        shared = r.group_id != viewer_group
        grant = ds_store.grant(s, r.id, viewer_group) if shared else None
        result.append(
            Dataset(
                name=r.name,
                group=names[r.group_id],
                description=r.description,
                created_at=r.created_at,
                created_by=r.created_by,
                latest=f"v{latest}" if latest else None,
                version_count=count,
                shared_from=names[r.group_id] if shared else None,
                access=grant.access if grant else "owner",
            )
        )
    return result


class DatasetService:
    def __init__(self, db: Database, clock: Clock, auditor: Auditor) -> None:
        self.db = db
        self.clock = clock
        self.auditor = auditor

    def list(self, ctx: Context, group: str, limit: int, cursor: str | None) -> Page[Dataset]:
        with self.db.read() as s:
            row = policy.require_group(s, ctx.principal, group, "dataset.list")
            rows, nxt = ds_store.list_visible(s, row.id, limit, cursor)
            return Page[Dataset](items=_to_datasets(s, rows, row.id), next_cursor=nxt)

    def get(self, ctx: Context, group: str, name: str) -> Dataset:
        with self.db.read() as s:
            target = access.resolve(s, ctx, group, name, "read")
            return self._view(s, ctx, target)

    def create(self, ctx: Context, group: str, body: DatasetCreate) -> Dataset:
        with self.db.write() as s:
            owner = policy.require_group(s, ctx.principal, group, "dataset.create")
            if ds_store.by_name(s, owner.id, body.name) is not None:
                raise Conflict(f"dataset {group}/{body.name} already exists")
            row = ds_store.add(
                s,
                DatasetRow(
                    group_id=owner.id,
                    name=body.name,
                    description=body.description,
                    created_by=ctx.principal.username,
                    created_at=self.clock.now(),
                ),
            )
            self.auditor.record(s, ctx, "dataset.create", "dataset", f"{group}/{body.name}", group)
            return _to_datasets(s, [row], owner.id)[0]

    def update(self, ctx: Context, group: str, name: str, body: DatasetUpdate) -> Dataset:
        changes = body.model_dump(exclude_unset=True)
        with self.db.write() as s:
            target = access.resolve(s, ctx, group, name, "write")
            for field, value in changes.items():
                setattr(target.dataset, field, value)
            self.auditor.record(
                s, ctx, "dataset.update", "dataset", target.ref, group, details=changes
            )
            return self._view(s, ctx, target)

    def delete(self, ctx: Context, group: str, name: str) -> None:
        """Soft delete: the rows stay for audit and lineage; ``atrium admin gc`` frees blobs."""
        with self.db.write() as s:
            target = access.resolve(s, ctx, group, name, "admin")
            target.dataset.deleted_at = self.clock.now()
            self.auditor.record(s, ctx, "dataset.delete", "dataset", target.ref, group)

    # ---- tags ---------------------------------------------------------------------------

    def tags(
        self, ctx: Context, group: str, name: str, limit: int, cursor: str | None
    ) -> Page[Tag]:
        with self.db.read() as s:
            target = access.resolve(s, ctx, group, name, "read")
            return _tags(s, target, limit, cursor)

    def set_tag(self, ctx: Context, group: str, name: str, tag: str, body: TagSet) -> Tag:
        _check_tag(tag)
        with self.db.write() as s:
            target = access.resolve(s, ctx, group, name, "write")
            version = access.version(s, target, body.version)
            row = ds_store.tag(s, target.dataset.id, tag)
            before = row.number if row else None
            if row is None:
                ds_store.add(
                    s, DatasetTagRow(dataset_id=target.dataset.id, tag=tag, number=version.number)
                )
            else:
                row.number = version.number
            details = {
                "tag": tag,
                "from": f"v{before}" if before else None,
                "to": f"v{version.number}",
            }
            self.auditor.record(
                s, ctx, "dataset.tag", "dataset", target.ref, group, details=details
            )
            return Tag(tag=tag, version=f"v{version.number}")

    def delete_tag(self, ctx: Context, group: str, name: str, tag: str) -> None:
        _check_tag(tag)
        with self.db.write() as s:
            target = access.resolve(s, ctx, group, name, "write")
            row = ds_store.tag(s, target.dataset.id, tag)
            if row is None:
                raise NotFound(f"tag {tag!r} not found on {target.ref}")
            ds_store.remove(s, row)
            self.auditor.record(
                s, ctx, "dataset.untag", "dataset", target.ref, group, details={"tag": tag}
            )

    # ---- grants -------------------------------------------------------------------------

    def grants(
        self, ctx: Context, group: str, name: str, limit: int, cursor: str | None
    ) -> Page[Grant]:
        with self.db.read() as s:
            target = access.resolve(s, ctx, group, name, "read")
            if target.access != "owner":
                raise NotFound(f"grants of {target.ref} are visible to its owner group only")
            rows, nxt = ds_store.grants_page(s, target.dataset.id, limit, cursor)
            items = [Grant(group=n, access=g.access, created_at=g.created_at) for g, n in rows]
            return Page[Grant](items=items, next_cursor=nxt)

    def set_grant(self, ctx: Context, group: str, name: str, grantee: str, body: GrantSet) -> Grant:
        with self.db.write() as s:
            target = access.resolve(s, ctx, group, name, "admin")
            other = group_store.by_name(s, grantee)
            if other is None:
                raise NotFound(f"group {grantee!r} not found")
            if other.id == target.owner.id:
                raise InvalidInput("a dataset's own group always has full access")
            row = ds_store.grant(s, target.dataset.id, other.id)
            if row is None:
                row = ds_store.add(
                    s,
                    DatasetGrantRow(
                        dataset_id=target.dataset.id,
                        group_id=other.id,
                        access=body.access,
                        created_at=self.clock.now(),
                    ),
                )
            row.access = body.access
            details = {"grantee": grantee, "access": body.access}
            self.auditor.record(
                s, ctx, "dataset.grant", "dataset", target.ref, group, details=details
            )
            return Grant(group=grantee, access=body.access, created_at=row.created_at)

    def revoke_grant(self, ctx: Context, group: str, name: str, grantee: str) -> None:
        with self.db.write() as s:
            target = access.resolve(s, ctx, group, name, "admin")
            other = group_store.by_name(s, grantee)
            row = ds_store.grant(s, target.dataset.id, other.id) if other else None
            if row is None:
                raise NotFound(f"{target.ref} is not shared with {grantee!r}")
            ds_store.remove(s, row)
            self.auditor.record(
                s, ctx, "dataset.revoke", "dataset", target.ref, group, details={"grantee": grantee}
            )

    @staticmethod
    def _view(s: Session, ctx: Context, target: Target) -> Dataset:
        """Shown from the owner's side for members, from the grantee's side otherwise."""
        if target.access == "owner":
            return _to_datasets(s, [target.dataset], target.owner.id)[0]
        assert ctx.principal.user_id is not None
        mine = {g.id for g, _ in group_store.roles_of(s, ctx.principal.user_id)}
        via = next(
            g.group_id for g, _ in ds_store.grants(s, target.dataset.id) if g.group_id in mine
        )
        return _to_datasets(s, [target.dataset], via)[0]


def _tags(s: Session, target: Target, limit: int, cursor: str | None) -> Page[Tag]:
    """``latest`` first (it is implied by the newest version, not stored), then the stored
    tags by name; the first page's ``latest`` takes one of its ``limit`` places."""
    head: list[Tag] = []
    latest = ds_store.latest(s, target.dataset.id) if cursor is None else None
    if latest is not None:
        head, limit = [Tag(tag="latest", version=f"v{latest.number}")], limit - 1
        cursor = encode_cursor("")  # before every stored tag name
    if limit == 0:  # only room for ``latest``: is there anything after it?
        more, _ = ds_store.tags_page(s, target.dataset.id, 1, cursor)
        return Page[Tag](items=head, next_cursor=cursor if more else None)
    rows, nxt = ds_store.tags_page(s, target.dataset.id, limit, cursor)
    items = head + [Tag(tag=r.tag, version=f"v{r.number}") for r in rows]
    return Page[Tag](items=items, next_cursor=nxt)


def _check_tag(tag: str) -> None:
    check_name("tag", tag)
    if tag in RESERVED_TAGS:
        raise InvalidInput(f"{tag!r} is maintained automatically and cannot be set or removed")
    if tag.startswith("v") and tag[1:].isdigit():
        raise InvalidInput(f"{tag!r} looks like a version number; pick another tag name")
