"""Typed exceptions raised by the SDK.

Every failed API call raises a subclass of :class:`AtriumError`, chosen from the ``code`` of the
server's error envelope ``{"error": {"code", "message", "details"}}`` (falling back to the HTTP
status when the body is not an envelope, e.g. a proxy's HTML error page).
"""

from __future__ import annotations

from typing import Any


class AtriumError(Exception):
    """An error reported by (or on the way to) the Atrium server.

    Attributes:
        status: HTTP status code (0 when no response was received).
        code: machine-readable code from the envelope, e.g. ``"not_found"``.
        message: human-readable message from the server.
        details: extra structured information (field errors for validation errors), or None.
        request_id: the ``X-Request-ID`` of the failed response, to quote in bug reports.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        code: str = "error",
        details: Any = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.details = details
        self.request_id = request_id

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, code={self.code!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


class BadRequest(AtriumError):
    """400: the request was understood but cannot be honoured as sent."""


class ValidationError(AtriumError):
    """422: the request body or query failed validation; ``details`` lists the fields."""


class Unauthenticated(AtriumError):
    """401: no valid token was sent (missing, expired or revoked)."""


class Forbidden(AtriumError):
    """403: the caller is signed in but lacks the permission (or the CSRF token was wrong)."""


class NotFound(AtriumError):
    """404: the resource does not exist, or is invisible to the caller."""


class Conflict(AtriumError):
    """409: the resource already exists or is in a state that forbids the change."""


class QuotaExceeded(AtriumError):
    """409 ``quota_exceeded``: the change would exceed a group or member quota."""


class PayloadTooLarge(BadRequest):
    """413: the request body is larger than the server accepts."""


class ServerError(AtriumError):
    """5xx, or any response the SDK could not understand."""


class AtriumConnectionError(AtriumError):
    """The server could not be reached at all (refused, DNS failure, timeout)."""


_BY_CODE: dict[str, type[AtriumError]] = {
    "bad_request": BadRequest,
    "validation_error": ValidationError,
    "unauthenticated": Unauthenticated,
    "forbidden": Forbidden,
    "csrf_failed": Forbidden,
    "not_found": NotFound,
    "conflict": Conflict,
    "quota_exceeded": QuotaExceeded,
    "payload_too_large": PayloadTooLarge,
}

_BY_STATUS: dict[int, type[AtriumError]] = {
    400: BadRequest,
    401: Unauthenticated,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    422: ValidationError,
}


def error_class(status: int, code: str | None) -> type[AtriumError]:
    """Pick the exception class for a failed response: by envelope code, then by status."""
    if code is not None and code in _BY_CODE:
        return _BY_CODE[code]
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return ServerError if status >= 500 else AtriumError
