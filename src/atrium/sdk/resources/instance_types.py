"""Instance types: the machine shapes (CPU, memory, GPU) workloads run on."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypedDict, Unpack

from atrium.sdk.models import InstanceType, Page
from atrium.sdk.resources._base import Resource, compact, seg


class InstanceTypeChanges(TypedDict, total=False):
    """Fields ``instance_types.update`` may change; only those passed are sent."""

    display_name: str | None
    description: str | None
    cpu: float
    memory: int | str
    gpu: int
    is_global: bool
    groups: list[str]


class InstanceTypesResource(Resource):
    def list(
        self, group: str | None = None, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[InstanceType]:
        """Instance types visible to the caller, or those ``group`` may use."""
        params = {"group": group, "limit": limit, "cursor": cursor}
        return self._http.page("/instance-types", InstanceType.from_api, params)

    def iter_all(self, group: str | None = None) -> Iterator[InstanceType]:
        return self._http.iterate("/instance-types", InstanceType.from_api, {"group": group})

    def create(
        self,
        name: str,
        *,
        cpu: float,
        memory: int | str,
        gpu: int | None = None,
        display_name: str | None = None,
        description: str | None = None,
        is_global: bool | None = None,
        groups: Sequence[str] | None = None,
    ) -> InstanceType:
        """Create an instance type; a non-global one is usable only by ``groups``."""
        body = compact(
            name=name,
            cpu=cpu,
            memory=memory,
            gpu=gpu,
            display_name=display_name,
            description=description,
            is_global=is_global,
            groups=None if groups is None else list(groups),
        )
        return InstanceType.from_api(self._http.request("POST", "/instance-types", json=body))

    def get(self, name: str) -> InstanceType:
        return InstanceType.from_api(self._http.request("GET", f"/instance-types/{seg(name)}"))

    def update(self, name: str, **changes: Unpack[InstanceTypeChanges]) -> InstanceType:
        path = f"/instance-types/{seg(name)}"
        return InstanceType.from_api(self._http.request("PATCH", path, json=dict(changes)))

    def delete(self, name: str) -> None:
        self._http.request("DELETE", f"/instance-types/{seg(name)}")
