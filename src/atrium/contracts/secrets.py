"""Group secrets: write-only values injected into jobs as environment variables."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, StringConstraints

from atrium.contracts.common import Input

SECRET_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,127}$"
RESERVED_PREFIX = "ATRIUM_"


def _not_reserved(name: str) -> str:
    if name.upper().startswith(RESERVED_PREFIX):
        raise ValueError(f"names starting with {RESERVED_PREFIX} are set by Atrium in every job")
    return name


#: An environment variable name. ``ATRIUM_*`` is reserved for what Atrium itself sets in a job.
SecretName = Annotated[
    str,
    StringConstraints(pattern=SECRET_NAME_PATTERN, max_length=128),
    AfterValidator(_not_reserved),
]
#: 64 KiB: room for a service-account JSON or a PEM key, not for smuggling data into env vars.
SecretValue = Annotated[str, StringConstraints(min_length=1, max_length=65536)]


class Secret(BaseModel):
    """A secret as the API shows it: metadata only. The value is never returned."""

    name: str
    group: str
    created_at: datetime
    created_by: str | None
    updated_at: datetime
    updated_by: str | None


class SecretCreate(Input):
    name: SecretName
    value: SecretValue


class SecretUpdate(Input):
    value: SecretValue
