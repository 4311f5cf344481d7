"""MLflow's error contract: ``{"error_code": "...", "message": "..."}`` with its HTTP status.

The MLflow client decides what to do from ``error_code`` (``RESOURCE_ALREADY_EXISTS`` makes
``set_experiment`` and model registration carry on, for instance), so every error of this API,
Atrium's domain errors included, leaves in MLflow's shape rather than Atrium's envelope.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from atrium.contracts.tracking import wire_float
from atrium.server.api import errors as api_errors
from atrium.server.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    QuotaExceeded,
    Unauthenticated,
)

INVALID_PARAMETER_VALUE = "INVALID_PARAMETER_VALUE"
RESOURCE_DOES_NOT_EXIST = "RESOURCE_DOES_NOT_EXIST"
RESOURCE_ALREADY_EXISTS = "RESOURCE_ALREADY_EXISTS"
STATUS_OF = {
    INVALID_PARAMETER_VALUE: 400,
    RESOURCE_ALREADY_EXISTS: 400,
    "INVALID_STATE": 400,
    "BAD_REQUEST": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    RESOURCE_DOES_NOT_EXIST: 404,
    "ENDPOINT_NOT_FOUND": 404,
    "RESOURCE_EXHAUSTED": 429,
    "INTERNAL_ERROR": 500,
}


class MlflowError(Exception):
    """An error this layer decides itself, already in MLflow's terms."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def invalid(message: str) -> MlflowError:
    return MlflowError(INVALID_PARAMETER_VALUE, message)


def missing(message: str) -> MlflowError:
    return MlflowError(RESOURCE_DOES_NOT_EXIST, message)


def _wire(value: Any) -> Any:
    """JSON has no NaN or infinities; protobuf's JSON mapping spells them as strings."""
    if isinstance(value, float):
        return wire_float(value)
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    return value


def reply(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(_wire(body)), status, media_type="application/json")


def error_response(code: str, message: str, status: int | None = None) -> Response:
    return reply({"error_code": code, "message": message}, status or STATUS_OF.get(code, 400))


def code_of(exc: DomainError) -> str:
    if isinstance(exc, QuotaExceeded):
        return "RESOURCE_EXHAUSTED"
    if isinstance(exc, NotFound):
        return RESOURCE_DOES_NOT_EXIST
    if isinstance(exc, Unauthenticated):
        return "UNAUTHENTICATED"
    if isinstance(exc, Forbidden) or exc.status == 403:
        return "PERMISSION_DENIED"
    if isinstance(exc, Conflict):
        return RESOURCE_ALREADY_EXISTS
    return INVALID_PARAMETER_VALUE


def _validation_message(exc: RequestValidationError | ValidationError) -> str:
    problems = []
    for error in exc.errors()[:5]:
        loc = error.get("loc", ())
        if isinstance(exc, RequestValidationError):
            loc = loc[1:]  # "body" or "query" first
        where = ".".join(str(p) for p in loc) or "body"
        problems.append(f"{where}: {error.get('msg', 'invalid')}")
    return "invalid request: " + "; ".join(problems)


class MlflowRoute(APIRoute):
    """A route whose errors, from dependencies and validation too, take MLflow's shape."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except MlflowError as exc:
                return error_response(exc.code, exc.message)
            except DomainError as exc:
                # Atrium's handler audits refused mutations; its envelope is not used here.
                await api_errors.on_domain_error(request, exc)
                return error_response(code_of(exc), exc.message)
            except (RequestValidationError, ValidationError) as exc:
                return error_response(INVALID_PARAMETER_VALUE, _validation_message(exc))
            except HTTPException as exc:
                code = "ENDPOINT_NOT_FOUND" if exc.status_code == 404 else "BAD_REQUEST"
                return error_response(code, str(exc.detail), exc.status_code)

        return guarded
