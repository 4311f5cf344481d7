"""Quotas of groups and of members within a group, and a group's current usage."""

from __future__ import annotations

from typing import TypedDict, Unpack

from atrium.sdk.models import Quota, Usage
from atrium.sdk.resources._base import Resource, seg


class QuotaLimits(TypedDict, total=False):
    """Limits to change; None means unlimited. Memory and storage take bytes or "16Gi"."""

    cpu: float | None
    memory: int | str | None
    gpu: int | None
    running_jobs: int | None
    deployments: int | None
    storage_bytes: int | str | None


class QuotasResource(Resource):
    def get(self, group: str) -> Quota:
        return Quota.from_api(self._http.request("GET", f"/groups/{seg(group)}/quota"))

    def update(self, group: str, **limits: Unpack[QuotaLimits]) -> Quota:
        """Change some of a group's limits, e.g. ``update("ml", memory="64Gi", gpu=None)``."""
        path = f"/groups/{seg(group)}/quota"
        return Quota.from_api(self._http.request("PATCH", path, json=dict(limits)))

    def get_member(self, group: str, username: str) -> Quota:
        return Quota.from_api(self._http.request("GET", _member_path(group, username)))

    def update_member(self, group: str, username: str, **limits: Unpack[QuotaLimits]) -> Quota:
        """Change a member's limits; they may not exceed the group's."""
        path = _member_path(group, username)
        return Quota.from_api(self._http.request("PATCH", path, json=dict(limits)))

    def usage(self, group: str) -> Usage:
        return Usage.from_api(self._http.request("GET", f"/groups/{seg(group)}/usage"))


def _member_path(group: str, username: str) -> str:
    return f"/groups/{seg(group)}/members/{seg(username)}/quota"
