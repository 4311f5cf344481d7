"""Group secrets: values go in, only names and metadata come back."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Self

from atrium.sdk.errors import NotFound
from atrium.sdk.models import Json, Page
from atrium.sdk.resources._base import Resource, seg


@dataclass(frozen=True)
class Secret:
    """A secret's metadata. Its value is never returned; jobs receive it as an env var."""

    name: str
    group: str
    created_at: datetime
    created_by: str | None
    updated_at: datetime
    updated_by: str | None

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(
            name=data["name"],
            group=data["group"],
            created_at=datetime.fromisoformat(data["created_at"]),
            created_by=data.get("created_by"),
            updated_at=datetime.fromisoformat(data["updated_at"]),
            updated_by=data.get("updated_by"),
        )


class SecretsResource(Resource):
    def _path(self, group: str, name: str | None = None) -> str:
        base = f"/groups/{seg(group)}/secrets"
        return base if name is None else f"{base}/{seg(name)}"

    def list(
        self, group: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[Secret]:
        query = {"limit": limit, "cursor": cursor}
        return self._http.page(self._path(group), Secret.from_api, query)

    def iter_all(self, group: str) -> Iterator[Secret]:
        return self._http.iterate(self._path(group), Secret.from_api)

    def get(self, group: str, name: str) -> Secret:
        return Secret.from_api(self._http.request("GET", self._path(group, name)))

    def create(self, group: str, name: str, value: str) -> Secret:
        """Create a secret (group admins); ``name`` must be an env-var name, not ``ATRIUM_*``."""
        body = {"name": name, "value": value}
        return Secret.from_api(self._http.request("POST", self._path(group), json=body))

    def update(self, group: str, name: str, value: str) -> Secret:
        """Replace the value; jobs started afterwards get the new one."""
        body = {"value": value}
        return Secret.from_api(self._http.request("PUT", self._path(group, name), json=body))

    def set(self, group: str, name: str, value: str) -> Secret:
        """Create the secret, or update it if it exists."""
        try:
            return self.update(group, name, value)
        except NotFound:
            return self.create(group, name, value)

    def delete(self, group: str, name: str) -> None:
        self._http.request("DELETE", self._path(group, name))
