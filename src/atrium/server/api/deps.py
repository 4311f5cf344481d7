"""Request dependencies: the calling context (who, from where) and page parameters."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request

from atrium.server.domain.errors import DomainError, Unauthenticated
from atrium.server.domain.model import ANONYMOUS, Context, RequestMeta
from atrium.server.services import security
from atrium.server.services.hub import Hub

SESSION_COOKIE = "atrium_session"
CSRF_COOKIE = "atrium_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class CsrfFailed(DomainError):
    code = "csrf_failed"
    status = 403


def _hub(request: Request) -> Hub:
    return request.app.state.hub  # type: ignore[no-any-return]


# The dependencies that only read the request are coroutines: FastAPI runs a plain function
# dependency in its thread pool, a round trip between threads on every request.
async def hub(request: Request) -> Hub:
    return _hub(request)


def _credentials(request: Request) -> tuple[str | None, bool]:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthenticated("use 'Authorization: Bearer <token>'")
        return value.strip(), False
    return request.cookies.get(SESSION_COOKIE), True


def _meta(request: Request) -> RequestMeta:
    client = request.client.host if request.client else None
    return RequestMeta(request_id=request.state.request_id, client_addr=client)


def anonymous_context(request: Request) -> Context:
    """For sign-in: credentials the browser still holds must not get in the way of a new login."""
    return Context(ANONYMOUS, _meta(request))


def context(request: Request) -> Context:
    """Authenticate the caller when they present credentials; anonymous otherwise."""
    meta = _meta(request)
    secret, via_cookie = _credentials(request)
    if not secret:
        ctx = Context(ANONYMOUS, meta)
        request.state.ctx = ctx
        return ctx
    found = _hub(request).auth.authenticate(secret, via_cookie)
    ctx = Context(found.principal, meta)
    request.state.ctx = ctx
    if via_cookie and request.method not in SAFE_METHODS:
        presented = request.headers.get(CSRF_HEADER, "")
        expected = found.csrf_hash or ""
        if not presented or not hmac.compare_digest(security.digest(presented), expected):
            raise CsrfFailed(
                f"missing or wrong {CSRF_HEADER} header: send the atrium_csrf cookie value"
            )
    return ctx


@dataclass(frozen=True)
class PageParams:
    limit: int
    cursor: str | None


async def page_params(
    limit: Annotated[int, Query(ge=1, le=500, description="Items per page")] = 50,
    cursor: Annotated[
        str | None, Query(max_length=500, description="next_cursor of the previous page")
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


Ctx = Annotated[Context, Depends(context)]
AnonCtx = Annotated[Context, Depends(anonymous_context)]
Services = Annotated[Hub, Depends(hub)]
Paging = Annotated[PageParams, Depends(page_params)]
