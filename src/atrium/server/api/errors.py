"""Every error leaves as one envelope: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from atrium.server.domain.errors import DomainError
from atrium.server.domain.model import ANONYMOUS, Context, Outcome, RequestMeta

log = logging.getLogger("atrium.api")

MUTATIONS = {"POST", "PUT", "PATCH", "DELETE"}
HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
}


def envelope(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details}}
    return JSONResponse(body, status_code=status)


def _audit_refusal(request: Request, exc: DomainError) -> None:
    """A refused mutation is itself worth a record; it cannot share the rolled-back transaction."""
    if request.method not in MUTATIONS or exc.status not in (401, 403, 404, 409, 413):
        return
    route = request.scope.get("route")
    action = getattr(route, "name", None) or f"{request.method} {request.url.path}"
    hub = request.app.state.hub
    ctx = getattr(request.state, "ctx", None) or Context(ANONYMOUS, _meta(request))
    outcome = Outcome.DENIED if exc.status in (401, 403, 404) else Outcome.FAILURE
    try:
        with hub.db.write() as s:
            hub.auditor.record(
                s,
                ctx,
                action,
                "request",
                request.url.path,
                outcome=outcome,
                details={"code": exc.code, "message": exc.message},
            )
    except Exception:  # an audit failure must not turn a clean 4xx into a 500
        log.exception("could not record refused request")


def _meta(request: Request) -> RequestMeta:
    client = request.client.host if request.client else None
    return RequestMeta(request_id=request.state.request_id, client_addr=client)


async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    await run_in_threadpool(_audit_refusal, request, exc)
    return envelope(exc.status, exc.code, exc.message, exc.details)


async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    if any(e["type"] == "json_invalid" for e in errors):
        return envelope(400, "bad_request", "the request body is not valid JSON", errors)
    where = ", ".join(".".join(str(p) for p in e["loc"][1:]) or e["loc"][0] for e in errors[:5])
    return envelope(422, "validation_error", f"invalid input: {where}", errors)


async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTP_CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    response = envelope(exc.status_code, code, message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    response = envelope(500, "internal", "internal error; the request id identifies it in the log")
    # This handler runs outside the request-id middleware, so it sets the header itself.
    response.headers["X-Request-ID"] = getattr(request.state, "request_id", "")
    return response


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
