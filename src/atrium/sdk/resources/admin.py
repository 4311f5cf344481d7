"""Hub maintenance for platform admins: garbage collection of the blob store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from atrium.sdk.models import Json
from atrium.sdk.resources._base import Resource


@dataclass(frozen=True)
class GcReport:
    """What a garbage collection deleted (or, in a dry run, would delete)."""

    dry_run: bool
    blobs: int
    bytes: int
    kept_recent: int
    metric_points: int

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(
            dry_run=bool(data["dry_run"]),
            blobs=int(data["blobs"]),
            bytes=int(data["bytes"]),
            kept_recent=int(data["kept_recent"]),
            metric_points=int(data.get("metric_points", 0)),
        )


class AdminResource(Resource):
    def gc(self, *, dry_run: bool = True, grace_seconds: int = 3600) -> GcReport:
        """Delete blobs no live dataset version, job, run or model version references and
        older than ``grace_seconds``, and the metric points of deleted runs. A dry run (the
        default) only reports what would go."""
        body = {"dry_run": dry_run, "grace_seconds": grace_seconds}
        return GcReport.from_api(self._http.request("POST", "/admin/gc", json=body))
