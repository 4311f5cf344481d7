"""Typed views of the API's resources (see docs/api.md, "Shapes").

Each class has a ``from_api`` constructor that reads the server's JSON; keys the SDK does not
know are ignored so that a newer server does not break an older client. Timestamps become
timezone-aware ``datetime`` objects; memory and storage are integers of bytes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Self, TypeVar

T = TypeVar("T")
Json = Mapping[str, Any]


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list; pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[T]
    next_cursor: str | None = None

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class Health:
    status: str
    version: str
    database: str

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(str(data["status"]), str(data.get("version", "")), str(data.get("database", "")))


@dataclass(frozen=True)
class User:
    username: str
    email: str | None
    display_name: str | None
    is_admin: bool
    enabled: bool
    created_at: datetime | None

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(**_user_fields(data))


@dataclass(frozen=True)
class GroupMembership:
    """A group the current user belongs to, as listed by ``client.me()``."""

    name: str
    display_name: str | None
    role: str

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(data["name"], data.get("display_name"), data["role"])


@dataclass(frozen=True)
class Me(User):
    """The signed-in user and their groups."""

    groups: list[GroupMembership] = field(default_factory=list)

    @classmethod
    def from_api(cls, data: Json) -> Self:
        groups = [GroupMembership.from_api(g) for g in data.get("groups") or []]
        return cls(**_user_fields(data), groups=groups)


@dataclass(frozen=True)
class LoginResult:
    """What ``client.auth.login`` returns; ``token`` is already set on the client."""

    token: str
    csrf_token: str | None
    expires_at: datetime | None
    user: User

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(
            token=data["token"],
            csrf_token=data.get("csrf_token"),
            expires_at=_dt(data.get("expires_at")),
            user=User.from_api(data["user"]),
        )


@dataclass(frozen=True)
class Token:
    """An API token's metadata; the secret itself is only shown once, at creation."""

    id: str
    name: str
    prefix: str | None
    created_at: datetime | None
    expires_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(**_token_fields(data))


@dataclass(frozen=True)
class CreatedToken(Token):
    """A just-created token; ``token`` is the plaintext secret, shown this one time only."""

    token: str = ""

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(**_token_fields(data), token=data["token"])


@dataclass(frozen=True)
class Group:
    name: str
    display_name: str | None
    description: str | None
    created_at: datetime | None
    member_count: int | None
    my_role: str | None
    """The caller's role in the group ("member" or "admin"); None for non-member admins."""

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(
            name=data["name"],
            display_name=data.get("display_name"),
            description=data.get("description"),
            created_at=_dt(data.get("created_at")),
            member_count=data.get("member_count"),
            my_role=data.get("my_role"),
        )


@dataclass(frozen=True)
class GroupDeletion:
    """Result of deleting a group (or previewing it): how many dependents go with it."""

    group: str
    deleted: bool
    resources: dict[str, int]

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(data["group"], bool(data["deleted"]), dict(data.get("resources") or {}))


@dataclass(frozen=True)
class Member:
    username: str
    display_name: str | None
    email: str | None
    role: str
    joined_at: datetime | None

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(
            username=data["username"],
            display_name=data.get("display_name"),
            email=data.get("email"),
            role=data["role"],
            joined_at=_dt(data.get("joined_at")),
        )


@dataclass(frozen=True)
class Quota:
    """Limits of a group or a member; None means unlimited. Memory and storage in bytes."""

    cpu: float | None = None
    memory: int | None = None
    gpu: int | None = None
    running_jobs: int | None = None
    deployments: int | None = None
    storage_bytes: int | None = None

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(
            cpu=data.get("cpu"),
            memory=data.get("memory"),
            gpu=data.get("gpu"),
            running_jobs=data.get("running_jobs"),
            deployments=data.get("deployments"),
            storage_bytes=data.get("storage_bytes"),
        )


@dataclass(frozen=True)
class ResourceUsage:
    """How much of one resource a group uses, against its limit (None: unlimited)."""

    used: float
    limit: float | None

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(used=data.get("used") or 0, limit=data.get("limit"))


@dataclass(frozen=True)
class Usage:
    """A group's usage per resource; keys as in :class:`Quota` (cpu, memory, ...)."""

    group: str
    resources: dict[str, ResourceUsage]
    user: str | None = None
    """Set when the usage is that of one member rather than of the whole group."""

    @classmethod
    def from_api(cls, data: Json) -> Self:
        resources = {k: ResourceUsage.from_api(v) for k, v in (data.get("resources") or {}).items()}
        return cls(group=data["group"], resources=resources, user=data.get("user"))


@dataclass(frozen=True)
class InstanceType:
    """A machine shape jobs can run on; global ones are usable by every group."""

    name: str
    display_name: str | None
    description: str | None
    cpu: float
    memory: int
    gpu: int
    is_global: bool
    groups: list[str]
    created_at: datetime | None

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(
            name=data["name"],
            display_name=data.get("display_name"),
            description=data.get("description"),
            cpu=data.get("cpu") or 0,
            memory=data.get("memory") or 0,
            gpu=data.get("gpu") or 0,
            is_global=bool(data.get("is_global")),
            groups=list(data.get("groups") or []),
            created_at=_dt(data.get("created_at")),
        )


@dataclass(frozen=True)
class Invitation:
    id: str
    group: str
    role: str
    email: str | None
    created_by: str | None
    created_at: datetime | None
    expires_at: datetime | None
    used_at: datetime | None
    used_by: str | None

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(**_invitation_fields(data))


@dataclass(frozen=True)
class CreatedInvitation(Invitation):
    """A just-created invitation; ``token`` is the secret to hand to the invitee, shown once."""

    token: str = ""

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(**_invitation_fields(data), token=data["token"])


@dataclass(frozen=True)
class InvitationPreview:
    """What an invitation token grants, readable without signing in."""

    group: str
    role: str
    expires_at: datetime | None

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(data["group"], data["role"], _dt(data.get("expires_at")))


@dataclass(frozen=True)
class InvitationAcceptance:
    """Result of accepting an invitation; ``token`` is set when a new account was created."""

    group: str
    role: str
    user: User
    token: str | None

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(data["group"], data["role"], User.from_api(data["user"]), data.get("token"))


@dataclass(frozen=True)
class AuditEvent:
    id: str
    time: datetime | None
    actor: str | None
    action: str
    resource_type: str | None
    resource_id: str | None
    group: str | None
    request_id: str | None
    client_addr: str | None
    outcome: str | None
    details: Any

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(
            id=str(data["id"]),
            time=_dt(data.get("time")),
            actor=data.get("actor"),
            action=data["action"],
            resource_type=data.get("resource_type"),
            resource_id=_str(data.get("resource_id")),
            group=data.get("group"),
            request_id=data.get("request_id"),
            client_addr=data.get("client_addr"),
            outcome=data.get("outcome"),
            details=data.get("details"),
        )


def _user_fields(data: Json) -> dict[str, Any]:
    return {
        "username": data["username"],
        "email": data.get("email"),
        "display_name": data.get("display_name"),
        "is_admin": bool(data.get("is_admin")),
        "enabled": bool(data.get("enabled", True)),
        "created_at": _dt(data.get("created_at")),
    }


def _token_fields(data: Json) -> dict[str, Any]:
    return {
        # Ids are opaque to clients; strings whatever the server's own type.
        "id": str(data["id"]),
        "name": data["name"],
        "prefix": data.get("prefix"),
        "created_at": _dt(data.get("created_at")),
        "expires_at": _dt(data.get("expires_at")),
        "last_used_at": _dt(data.get("last_used_at")),
    }


def _invitation_fields(data: Json) -> dict[str, Any]:
    return {
        "id": str(data["id"]),
        "group": data["group"],
        "role": data["role"],
        "email": data.get("email"),
        "created_by": data.get("created_by"),
        "created_at": _dt(data.get("created_at")),
        "expires_at": _dt(data.get("expires_at")),
        "used_at": _dt(data.get("used_at")),
        "used_by": data.get("used_by"),
    }


def _dt(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _str(value: object) -> str | None:
    return None if value is None else str(value)
