"""The one place that answers "may this principal do this?".

Standing in a group, from least to most: anonymous < authenticated outsider < member <
group admin < platform admin. Each action names the least standing it needs. A caller below
member standing in a group gets a 404 for anything in it: a group you cannot see does not exist.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from atrium.server.domain.errors import Forbidden, NotFound, Unauthenticated
from atrium.server.domain.model import Principal, Role, Standing
from atrium.server.store import groups as group_store
from atrium.server.store.tables import GroupRow

S = Standing

GROUP_ACTIONS: dict[str, Standing] = {
    "group.read": S.MEMBER,
    "group.update": S.GROUP_ADMIN,
    "group.delete": S.PLATFORM_ADMIN,
    "member.read": S.MEMBER,
    "member.manage": S.GROUP_ADMIN,
    "quota.read": S.MEMBER,
    "quota.update": S.PLATFORM_ADMIN,
    "member_quota.update": S.GROUP_ADMIN,
    "invitation.manage": S.GROUP_ADMIN,
    "audit.read": S.GROUP_ADMIN,
    "instance_type.use": S.MEMBER,
    "dataset.list": S.MEMBER,
    "dataset.create": S.MEMBER,
    "dataset.admin": S.GROUP_ADMIN,
    "job.list": S.MEMBER,
    "job.submit": S.MEMBER,
    # Cancelling someone else's job needs group admin; one's own is checked in the service.
    "job.manage": S.GROUP_ADMIN,
    "schedule.list": S.MEMBER,
    "schedule.create": S.MEMBER,
    # Changing someone else's schedule needs group admin; one's own is checked in the service.
    "schedule.manage": S.GROUP_ADMIN,
    "secret.read": S.MEMBER,
    "secret.manage": S.GROUP_ADMIN,
    "usage_report.read": S.GROUP_ADMIN,
    "run.read": S.MEMBER,
    "run.create": S.MEMBER,
    # Changing someone else's run or experiment; one's own is checked in the service.
    "run.manage": S.GROUP_ADMIN,
    "model.read": S.MEMBER,
    "model.create": S.MEMBER,
    # Changing someone else's model or version; one's own is checked in the service.
    "model.manage": S.GROUP_ADMIN,
}

HUB_ACTIONS: dict[str, Standing] = {
    "hub.read": S.OUTSIDER,
    "group.create": S.PLATFORM_ADMIN,
    "user.manage": S.PLATFORM_ADMIN,
    "instance_type.manage": S.PLATFORM_ADMIN,
    "audit.read_all": S.PLATFORM_ADMIN,
    "blob.gc": S.PLATFORM_ADMIN,
}


def hub_standing(principal: Principal) -> Standing:
    if not principal.authenticated:
        return S.ANONYMOUS
    return S.PLATFORM_ADMIN if principal.is_admin else S.OUTSIDER


def group_standing(session: Session, principal: Principal, group: GroupRow) -> Standing:
    if not principal.authenticated or principal.user_id is None:
        return S.ANONYMOUS
    if principal.scope_group_id is not None and principal.scope_group_id != group.id:
        return S.OUTSIDER
    if principal.is_admin:
        return S.PLATFORM_ADMIN
    membership = group_store.membership(session, group.id, principal.user_id)
    if membership is None:
        return S.OUTSIDER
    return S.GROUP_ADMIN if membership.role == Role.ADMIN.value else S.MEMBER


def allows(standing: Standing, action: str) -> bool:
    needed = GROUP_ACTIONS.get(action, HUB_ACTIONS.get(action))
    if needed is None:
        raise KeyError(f"unknown action {action!r}")
    return standing >= needed


def require_hub(principal: Principal, action: str) -> None:
    standing = hub_standing(principal)
    if standing == S.ANONYMOUS:
        raise Unauthenticated("sign in first: send a bearer token or log in")
    if not allows(standing, action):
        raise Forbidden(f"only platform admins may do this ({action})")


def require_group(session: Session, principal: Principal, name: str, action: str) -> GroupRow:
    """Load the group the action is about, or fail as the caller's standing dictates."""
    if not principal.authenticated:
        raise Unauthenticated("sign in first: send a bearer token or log in")
    group = group_store.by_name(session, name)
    if group is None:
        raise NotFound(f"group {name!r} not found")
    standing = group_standing(session, principal, group)
    if standing < S.MEMBER:
        raise NotFound(f"group {name!r} not found")
    if not allows(standing, action):
        raise Forbidden(f"you need to be a {_title(GROUP_ACTIONS[action])} of {name!r} to do this")
    return group


def require_owner_or(
    session: Session, principal: Principal, group: GroupRow, owner_id: int | None, action: str
) -> None:
    """Members act on what they own; anything else needs ``action``'s standing."""
    if principal.user_id is not None and principal.user_id == owner_id:
        return
    if not allows(group_standing(session, principal, group), action):
        raise Forbidden(
            f"only its owner or a {_title(GROUP_ACTIONS[action])} of {group.name!r} may do this"
        )


def _title(standing: Standing) -> str:
    return {S.GROUP_ADMIN: "group admin", S.PLATFORM_ADMIN: "platform admin"}.get(
        standing, "member"
    )


DATASET_ACCESS = {"owner": 3, "write": 2, "read": 1}


def dataset_access(
    session: Session, principal: Principal, owner: GroupRow, grants: set[str]
) -> str | None:
    """The caller's access to one dataset: owner, write, read, or None (invisible).

    ``grants`` are the access levels granted to groups the caller belongs to.
    """
    if not principal.authenticated:
        return None
    if group_standing(session, principal, owner) >= S.MEMBER:
        return "owner"
    for level in ("write", "read"):
        if level in grants:
            return level
    return None
