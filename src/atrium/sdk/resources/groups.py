"""Groups: the unit that shares data, compute and models."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypedDict, Unpack

from atrium.sdk.models import Group, GroupDeletion, Page
from atrium.sdk.resources._base import Resource, compact, seg


class GroupChanges(TypedDict, total=False):
    """Fields ``groups.update`` may change; only those passed are sent."""

    display_name: str | None
    description: str | None


class GroupsResource(Resource):
    def list(self, *, limit: int | None = None, cursor: str | None = None) -> Page[Group]:
        """Groups the caller belongs to (platform admins: all groups)."""
        return self._http.page("/groups", Group.from_api, {"limit": limit, "cursor": cursor})

    def iter_all(self) -> Iterator[Group]:
        return self._http.iterate("/groups", Group.from_api)

    def create(
        self, name: str, display_name: str | None = None, description: str | None = None
    ) -> Group:
        body = compact(name=name, display_name=display_name, description=description)
        return Group.from_api(self._http.request("POST", "/groups", json=body))

    def get(self, name: str) -> Group:
        return Group.from_api(self._http.request("GET", f"/groups/{seg(name)}"))

    def update(self, name: str, **changes: Unpack[GroupChanges]) -> Group:
        body = dict(changes)
        return Group.from_api(self._http.request("PATCH", f"/groups/{seg(name)}", json=body))

    def delete(self, name: str, preview: bool = False) -> GroupDeletion:
        """Delete a group and everything in it; ``preview=True`` only counts what would go."""
        params = {"preview": True} if preview else None
        body = self._http.request("DELETE", f"/groups/{seg(name)}", params=params)
        return GroupDeletion.from_api(body)
