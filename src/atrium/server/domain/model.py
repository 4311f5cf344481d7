"""Core enums and value objects shared by the server layers."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from atrium.server.domain.errors import InvalidInput

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")


class Role(enum.StrEnum):
    MEMBER = "member"
    ADMIN = "admin"


class Standing(enum.IntEnum):
    """How much a principal may do with one group, from nothing to everything."""

    ANONYMOUS = 0
    OUTSIDER = 1
    MEMBER = 2
    GROUP_ADMIN = 3
    PLATFORM_ADMIN = 4


class Outcome(enum.StrEnum):
    SUCCESS = "success"
    DENIED = "denied"
    FAILURE = "failure"


RESOURCES = ("cpu", "memory", "gpu", "running_jobs", "deployments", "storage_bytes")


def check_name(kind: str, value: str) -> str:
    if not NAME_RE.fullmatch(value):
        raise InvalidInput(
            f"invalid {kind} {value!r}: use 1-63 lowercase letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
            {"field": kind},
        )
    return value


@dataclass(frozen=True)
class Principal:
    """Who is calling: a signed-in user or nobody."""

    user_id: int | None
    username: str | None
    is_admin: bool = False
    token_id: str | None = None
    via_cookie: bool = False
    # A job's token acts only inside the job's group: everything else looks like an outsider's.
    scope_group_id: int | None = None

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None


ANONYMOUS = Principal(user_id=None, username=None)


@dataclass(frozen=True)
class RequestMeta:
    request_id: str
    client_addr: str | None


@dataclass(frozen=True)
class Context:
    principal: Principal
    meta: RequestMeta
