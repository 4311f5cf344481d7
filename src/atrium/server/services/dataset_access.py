"""Resolving ``group/name[@ref]`` to a dataset the caller may use, through the policy."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from atrium.server.domain.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from atrium.server.domain.jobs import parse_input
from atrium.server.domain.model import Context
from atrium.server.services import policy
from atrium.server.store import datasets as ds_store
from atrium.server.store import groups as group_store
from atrium.server.store.tables import DatasetRow, DatasetVersionRow, GroupRow

Need = Literal["read", "write", "admin"]
_NUMBER = re.compile(r"^v?(\d{1,9})$")


@dataclass(frozen=True)
class Target:
    dataset: DatasetRow
    owner: GroupRow
    access: str

    @property
    def ref(self) -> str:
        return f"{self.owner.name}/{self.dataset.name}"


def resolve(s: Session, ctx: Context, group: str, name: str, need: Need) -> Target:
    principal = ctx.principal
    if not principal.authenticated or principal.user_id is None:
        raise Unauthenticated("sign in first: send a bearer token or log in")
    gone = NotFound(f"dataset {group}/{name} not found")
    owner = group_store.by_name(s, group)
    dataset = ds_store.by_name(s, owner.id, name) if owner else None
    if owner is None or dataset is None:
        raise gone
    my_groups = [g.id for g, _ in group_store.roles_of(s, principal.user_id)]
    if principal.scope_group_id is not None:  # a job reads through its own group's grants only
        my_groups = [g for g in my_groups if g == principal.scope_group_id]
    grants = ds_store.grant_access(s, dataset.id, my_groups)
    access = policy.dataset_access(s, principal, owner, grants)
    if access is None:
        raise gone
    if need == "write" and access == "read":
        raise Forbidden(f"{group}/{name} is shared with you read-only")
    if need == "admin":
        if access != "owner":
            raise Forbidden(f"only admins of {group!r} may do this")
        policy.require_group(s, principal, group, "dataset.admin")
    return Target(dataset, owner, access)


def version(s: Session, target: Target, ref: str) -> DatasetVersionRow:
    """``latest``, ``v3`` / ``3``, or a tag."""
    found = None
    if ref == "latest":
        found = ds_store.latest(s, target.dataset.id)
    elif match := _NUMBER.match(ref):
        found = ds_store.version(s, target.dataset.id, int(match.group(1)))
    else:
        tag = ds_store.tag(s, target.dataset.id, ref)
        found = ds_store.version(s, target.dataset.id, tag.number) if tag else None
    if found is None:
        raise NotFound(f"version {ref!r} of {target.ref} not found")
    return found


def pin_input(s: Session, ctx: Context, spec: str, label: str) -> tuple[DatasetVersionRow, str]:
    """Resolve an input reference (``group/name[@vN|:tag]``) the caller may read to its
    version and its pinned form (``group/name@v3``). Jobs and runs record inputs this way;
    ``label`` names the input in the error of a missing dataset or version."""
    ref = parse_input(spec)
    try:
        target = resolve(s, ctx, ref.group, ref.name, "read")
        row = version(s, target, ref.ref)
    except NotFound as exc:
        raise InvalidInput(f"input {label}: {exc.message}", {"field": "inputs"}) from exc
    return row, ref.pinned(row.number)
