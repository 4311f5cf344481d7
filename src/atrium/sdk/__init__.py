"""Python SDK for the Atrium REST API.

>>> from atrium import Client
>>> client = Client("http://127.0.0.1:8000")
>>> client.auth.login("admin", "secret")   # doctest: +SKIP
>>> [g.name for g in client.groups.iter_all()]   # doctest: +SKIP
"""

from atrium.sdk.client import Client
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
