"""Sign-in and the caller's own profile."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from atrium.contracts.users import LoginRequest, LoginResponse, Me, PasswordChange
from atrium.server.api.deps import CSRF_COOKIE, SESSION_COOKIE, AnonCtx, Ctx, Services
from atrium.server.api.routes import ERRORS
from atrium.server.services.users import to_user

router = APIRouter(tags=["auth"], responses=ERRORS)


@router.post("/auth/login", name="auth.login")
def login(
    body: LoginRequest, request: Request, response: Response, ctx: AnonCtx, hub: Services
) -> LoginResponse:
    result = hub.auth.login(ctx, body)
    secure = request.url.scheme == "https"
    max_age = int((result.expires_at - hub.clock.now()).total_seconds())
    response.set_cookie(
        SESSION_COOKIE, result.token, max_age=max_age, httponly=True, samesite="lax", secure=secure
    )
    # Readable by the dashboard's script, which echoes it in X-CSRF-Token on mutations.
    response.set_cookie(
        CSRF_COOKIE, result.csrf_token, max_age=max_age, samesite="strict", secure=secure
    )
    return LoginResponse(
        token=result.token,
        csrf_token=result.csrf_token,
        expires_at=result.expires_at,
        user=to_user(result.user),
    )


@router.post("/auth/logout", status_code=204, name="auth.logout")
def logout(ctx: Ctx, hub: Services) -> Response:
    hub.auth.logout(ctx)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return response


@router.get("/me", name="me.get")
def me(ctx: Ctx, hub: Services) -> Me:
    return hub.users.me(ctx)


@router.post("/me/password", status_code=204, name="me.password")
def change_password(body: PasswordChange, ctx: Ctx, hub: Services) -> Response:
    hub.users.change_own_password(ctx, body)
    return Response(status_code=204)
