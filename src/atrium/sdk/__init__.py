"""Python SDK for the Atrium REST API.

>>> from atrium import Client
>>> client = Client("http://127.0.0.1:8000")
>>> client.auth.login("admin", "secret")   # doctest: +SKIP
>>> [g.name for g in client.groups.iter_all()]   # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# The errors module imports nothing; the client and the models load on first use (below).
from atrium.sdk.errors import (
    AtriumConnectionError,
    AtriumError,
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    QuotaExceeded,
    ServerError,
    Unauthenticated,
    ValidationError,
)

if TYPE_CHECKING:
    from atrium.sdk.client import Client
    from atrium.sdk.models import (
        AuditEvent,
        CreatedInvitation,
        CreatedToken,
        Group,
        GroupDeletion,
        GroupMembership,
        Health,
        InstanceType,
        Invitation,
        InvitationAcceptance,
        InvitationPreview,
        LoginResult,
        Me,
        Member,
        Page,
        Quota,
        ResourceUsage,
        Token,
        Usage,
        User,
    )

__all__ = [
    "AtriumConnectionError",
    "AtriumError",
    "AuditEvent",
    "BadRequest",
    "Client",
    "Conflict",
    "CreatedInvitation",
    "CreatedToken",
    "Forbidden",
    "Group",
    "GroupDeletion",
    "GroupMembership",
    "Health",
    "InstanceType",
    "Invitation",
    "InvitationAcceptance",
    "InvitationPreview",
    "LoginResult",
    "Me",
    "Member",
    "NotFound",
    "Page",
    "PayloadTooLarge",
    "Quota",
    "QuotaExceeded",
    "ResourceUsage",
    "ServerError",
    "Token",
    "Unauthenticated",
    "Usage",
    "User",
    "ValidationError",
]


def __getattr__(name: str) -> Any:
    # Importing atrium.sdk.client imports httpx and the models, which commands that only read
    # local files (``atrium datasets status``) and users of atrium.sdk.config or the errors
    # must not pay for.
    if name == "Client":
        module = "atrium.sdk.client"
    elif name in __all__:
        module = "atrium.sdk.models"
    else:
        raise AttributeError(f"module 'atrium.sdk' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups do not come here
    return value
