"""``client.experiments`` and ``client.runs``: the tracking API, call by call.

For logging from training code use :func:`atrium.start_run`, which batches metrics in the
background; ``client.runs.log_batch`` sends one batch now.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlencode

from pydantic_core import to_json

from atrium.sdk._http import HttpCore
from atrium.sdk.datasets.wire import Wire
from atrium.sdk.models import Page
from atrium.sdk.resources._base import Resource, compact, seg
from atrium.sdk.tracking.models import Artifact, Experiment, MetricHistory, Run, RunComparison

PIECE = 1024 * 1024


def encode(body: Any) -> bytes:
    """JSON with NaN and the infinities as the strings the API expects (and fast)."""
    return to_json(body, inf_nan_mode="strings")


class ExperimentsResource(Resource):
    def _path(self, group: str, experiment_id: int | None = None) -> str:
        base = f"/groups/{seg(group)}/experiments"
        return base if experiment_id is None else f"{base}/{experiment_id}"

    def list(
        self,
        group: str,
        *,
        name: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[Experiment]:
        query = {"name": name, "limit": limit, "cursor": cursor}
        return self._http.page(self._path(group), Experiment.from_api, query)

    def iter_all(self, group: str) -> Iterator[Experiment]:
        return self._http.iterate(self._path(group), Experiment.from_api)

    def get(self, group: str, experiment_id: int) -> Experiment:
        return Experiment.from_api(self._http.request("GET", self._path(group, experiment_id)))

    def get_by_name(self, group: str, name: str) -> Experiment | None:
        found = self.list(group, name=name).items
        return found[0] if found else None

    def create(
        self,
        group: str,
        name: str,
        *,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Experiment:
        body = compact(name=name, description=description, tags=dict(tags) if tags else None)
        return Experiment.from_api(self._http.request("POST", self._path(group), json=body))

    def update(self, group: str, experiment_id: int, **changes: Any) -> Experiment:
        """Change ``name``, ``description`` or ``tags``."""
        path = self._path(group, experiment_id)
        return Experiment.from_api(self._http.request("PATCH", path, json=changes))

    def delete(self, group: str, experiment_id: int) -> None:
        """Delete the experiment and its runs."""
        self._http.request("DELETE", self._path(group, experiment_id))


class RunsResource(Resource):
    def __init__(self, http: HttpCore) -> None:
        super().__init__(http)
        self._wire = Wire(http)

    def _path(self, group: str, run_id: str | None = None) -> str:
        base = f"/groups/{seg(group)}/runs"
        return base if run_id is None else f"{base}/{seg(run_id)}"

    def _file(self, group: str, run_id: str, artifact_path: str) -> str:
        return f"{self._path(group, run_id)}/artifacts/file?{urlencode({'path': artifact_path})}"

    def create(self, group: str, *, experiment: str = "default", **fields: Any) -> Run:
        """Start a run; ``fields`` are those of the API's RunCreate (name, params, tags,
        parent_run_id, source, inputs, start_time)."""
        body = compact(experiment=experiment, **fields)
        return Run.from_api(self._http.request("POST", self._path(group), json=body))

    def get(self, group: str, run_id: str) -> Run:
        return Run.from_api(self._http.request("GET", self._path(group, run_id)))

    def update(self, group: str, run_id: str, **changes: Any) -> Run:
        """Change ``name``, ``status``, ``end_time`` or ``notes``."""
        body = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in changes.items()}
        return Run.from_api(self._http.request("PATCH", self._path(group, run_id), json=body))

    def delete(self, group: str, run_id: str) -> None:
        self._http.request("DELETE", self._path(group, run_id))

    def delete_tag(self, group: str, run_id: str, key: str) -> None:
        self._http.request("DELETE", f"{self._path(group, run_id)}/tags", params={"key": key})

    def search(
        self,
        group: str,
        filter: str = "",
        *,
        experiments: Sequence[str] | None = None,
        order_by: Sequence[str] = (),
        limit: int = 100,
        cursor: str | None = None,
        fields: Sequence[str] | None = None,
    ) -> Page[Run]:
        """One page of the group's runs that match ``filter``, e.g.
        ``"metrics.acc > 0.9 and params.lr = '0.01'"`` (see docs/tracking.md). ``fields``
        narrows what each run carries (``["metrics.acc", "params"]``): faster for big pages."""
        body = compact(
            experiments=list(experiments) if experiments is not None else None,
            filter=filter,
            order_by=list(order_by),
            limit=limit,
            cursor=cursor,
            fields=list(fields) if fields is not None else None,
        )
        found = self._http.request("POST", f"{self._path(group)}/search", json=body)
        return Page([Run.from_api(r) for r in found["items"]], found["next_cursor"])

    def iter_search(self, group: str, filter: str = "", **options: Any) -> Iterator[Run]:
        """Every matching run, page after page."""
        cursor = None
        while True:
            found = self.search(group, filter, cursor=cursor, **options)
            yield from found.items
            if found.next_cursor is None:
                return
            cursor = found.next_cursor

    def compare(self, group: str, run_ids: Sequence[str]) -> RunComparison:
        query = {"ids": ",".join(run_ids)}
        found = self._http.request("GET", f"{self._path(group)}/compare", params=query)
        return RunComparison.from_api(found)

    def history(
        self,
        group: str,
        run_id: str,
        key: str,
        *,
        max_points: int | None = None,
        start_step: int | None = None,
        end_step: int | None = None,
    ) -> MetricHistory:
        """A metric's points; ``max_points`` downsamples (min, max and last per bucket)."""
        query = {"key": key, "max_points": max_points, "start_step": start_step,
                 "end_step": end_step}  # fmt: skip
        path = f"{self._path(group, run_id)}/metrics/history"
        return MetricHistory.from_api(self._http.request("GET", path, params=query))

    def log_batch(
        self,
        group: str,
        run_id: str,
        *,
        params: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
        metrics: Sequence[Mapping[str, Any]] = (),
    ) -> dict[str, int]:
        """Send params, tags and metric series (``{"key", "steps", "values", "timestamps"}``)
        in one request; the server applies all of it or none."""
        body = {"params": dict(params or {}), "tags": dict(tags or {}), "metrics": list(metrics)}
        path = f"{self._path(group, run_id)}/log-batch"
        return self._wire.post_json(path, encode(body), retry=False, wait=120.0)  # type: ignore[no-any-return]

    # ---- artifacts ----------------------------------------------------------------------

    def list_artifacts(
        self, group: str, run_id: str, *, prefix: str | None = None
    ) -> Iterator[Artifact]:
        path = f"{self._path(group, run_id)}/artifacts"
        return self._http.iterate(path, Artifact.from_api, {"prefix": prefix})

    def upload_artifact(
        self, group: str, run_id: str, local_path: str | os.PathLike[str], artifact_path: str
    ) -> Artifact:
        """Upload one file to ``artifact_path`` in the run (replacing what is there)."""
        source = Path(local_path)
        size = source.stat().st_size
        found = self._wire.send(
            "PUT", self._file(group, run_id, artifact_path), lambda: _pieces(source), size,
            "application/octet-stream",
        )  # fmt: skip
        return Artifact.from_api(found)

    def upload_bytes(self, group: str, run_id: str, data: bytes, artifact_path: str) -> Artifact:
        path = self._file(group, run_id, artifact_path)
        found = self._wire.send("PUT", path, lambda: data, len(data), "application/octet-stream")
        return Artifact.from_api(found)

    def download_artifact(self, group: str, run_id: str, artifact_path: str, out: BinaryIO) -> int:
        """Write the artifact's bytes to ``out``; returns how many."""
        path = self._file(group, run_id, artifact_path)
        written = 0
        with self._wire.stream("GET", path) as response:
            for piece in response.iter_bytes(PIECE):
                out.write(piece)
                written += len(piece)
        return written


def _pieces(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while piece := f.read(PIECE):
            yield piece
