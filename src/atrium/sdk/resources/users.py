"""User accounts (platform admins only, except reading oneself)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypedDict, Unpack

from atrium.sdk.models import Page, User
from atrium.sdk.resources._base import Resource, compact, seg


class UserChanges(TypedDict, total=False):
    """Fields ``users.update`` may change; only those passed are sent."""

    email: str | None
    display_name: str | None
    is_admin: bool
    enabled: bool


class UsersResource(Resource):
    def list(
        self, q: str | None = None, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[User]:
        """One page of users; ``q`` filters by substring of the username, email or name."""
        return self._http.page("/users", User.from_api, {"q": q, "limit": limit, "cursor": cursor})

    def iter_all(self, q: str | None = None) -> Iterator[User]:
        return self._http.iterate("/users", User.from_api, {"q": q})

    def create(
        self,
        username: str,
        password: str,
        *,
        email: str | None = None,
        display_name: str | None = None,
        is_admin: bool = False,
    ) -> User:
        body = compact(
            username=username,
            password=password,
            email=email,
            display_name=display_name,
            is_admin=is_admin,
        )
        return User.from_api(self._http.request("POST", "/users", json=body))

    def get(self, username: str) -> User:
        return User.from_api(self._http.request("GET", f"/users/{seg(username)}"))

    def update(self, username: str, **changes: Unpack[UserChanges]) -> User:
        """Change some fields, e.g. ``update("bob", enabled=False)``."""
        body = dict(changes)
        return User.from_api(self._http.request("PATCH", f"/users/{seg(username)}", json=body))

    def reset_password(self, username: str, password: str) -> None:
        """Set a new password; all the user's sessions are revoked."""
        self._http.request("POST", f"/users/{seg(username)}/password", json={"password": password})

    def delete(self, username: str) -> None:
        self._http.request("DELETE", f"/users/{seg(username)}")
