"""Signing in and out with a username and password."""

from __future__ import annotations

from atrium.sdk.models import LoginResult
from atrium.sdk.resources._base import Resource


class AuthResource(Resource):
    def login(self, username: str, password: str) -> LoginResult:
        """Open a session; its token is set on the client and returned as ``result.token``."""
        body = self._http.request(
            "POST", "/auth/login", json={"username": username, "password": password}
        )
        result = LoginResult.from_api(body)
        self._http.token = result.token
        return result

    def logout(self) -> None:
        """Revoke the current session server-side and forget its token."""
        self._http.request("POST", "/auth/logout")
        self._http.token = None
