"""Domain errors. The API layer maps each to one HTTP status and error code."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "bad_request"
    status = 400

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class BadRequest(DomainError):
    pass


class InvalidInput(DomainError):
    code = "validation_error"
    status = 422


class Unauthenticated(DomainError):
    code = "unauthenticated"
    status = 401


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Conflict(DomainError):
    code = "conflict"
    status = 409


class QuotaExceeded(DomainError):
    code = "quota_exceeded"
    status = 409
