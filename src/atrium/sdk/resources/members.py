"""Membership of users in groups, with a role: "member" or "admin"."""

from __future__ import annotations

from collections.abc import Iterator

from atrium.sdk.models import Member, Page
from atrium.sdk.resources._base import Resource, seg


class MembersResource(Resource):
    def list(
        self, group: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[Member]:
        params = {"limit": limit, "cursor": cursor}
        return self._http.page(_path(group), Member.from_api, params)

    def iter_all(self, group: str) -> Iterator[Member]:
        return self._http.iterate(_path(group), Member.from_api)

    def add(self, group: str, username: str, role: str = "member") -> Member:
        body = {"username": username, "role": role}
        return Member.from_api(self._http.request("POST", _path(group), json=body))

    def get(self, group: str, username: str) -> Member:
        return Member.from_api(self._http.request("GET", _path(group, username)))

    def update(self, group: str, username: str, role: str) -> Member:
        body = {"role": role}
        return Member.from_api(self._http.request("PATCH", _path(group, username), json=body))

    def remove(self, group: str, username: str) -> None:
        self._http.request("DELETE", _path(group, username))


def _path(group: str, username: str | None = None) -> str:
    path = f"/groups/{seg(group)}/members"
    return path if username is None else f"{path}/{seg(username)}"
