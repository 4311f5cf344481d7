"""MLflow's proxied artifact API onto Atrium's blob store.

Locations handed to the client use the ``mlflow-artifacts:`` scheme, so the client reads and
writes through ``/mlflow/<group>/api/2.0/mlflow-artifacts/artifacts/<path>``:

* ``<experiment id>/<run id>/artifacts/<path>``: the run's artifact ``<path>`` (the files of
  logged models are run artifacts under ``models/<model id>/``);
* ``registered-models/<name>/<version>/<path>``: a file of a model version (read-only).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from atrium.contracts.registry import ModelFile
from atrium.contracts.tracking import Artifact
from atrium.server.api.deps import Ctx, Services
from atrium.server.api.mlflow import wire
from atrium.server.api.mlflow.errors import MlflowRoute, invalid, missing, reply
from atrium.server.api.mlflow.runs import check_run_id
from atrium.server.api.routes.runs import body_pieces
from atrium.server.domain.model import Context
from atrium.server.services.hub import Hub

router = APIRouter(route_class=MlflowRoute)
ROOT = "/api/2.0/mlflow-artifacts/artifacts"
VERSIONS = "registered-models"


@dataclass(frozen=True)
class Location:
    """Where an ``mlflow-artifacts`` path points: a run's or a model version's files."""

    run_id: str | None
    model: str | None
    version: int | None
    path: str  # relative to the run's or version's root; '' for the root


def locate(path: str) -> Location:
    parts = path.strip("/").split("/")
    if parts[0] == VERSIONS and len(parts) >= 3 and parts[2].isdigit() and len(parts[2]) < 10:
        return Location(None, parts[1], int(parts[2]), "/".join(parts[3:]))
    if len(parts) >= 3 and parts[0].isdigit() and parts[2] == "artifacts":
        return Location(check_run_id(parts[1]), None, None, "/".join(parts[3:]))
    raise missing(f"no artifact location {path!r} in this group")


def version_location(model: str, version: int | str) -> str:
    return f"mlflow-artifacts:/{VERSIONS}/{model}/{version}"


def run_files(hub: Hub, ctx: Context, group: str, run_id: str, prefix: str) -> Iterator[Artifact]:
    cursor = None
    while True:
        page = hub.tracking.artifacts.list(ctx, group, run_id, prefix or None, 500, cursor)
        yield from page.items
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def version_files(
    hub: Hub, ctx: Context, group: str, model: str, version: int
) -> Iterator[ModelFile]:
    cursor = None
    while True:
        page = hub.registry.versions.files(ctx, group, model, version, 1000, cursor)
        yield from page.items
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def _files(hub: Hub, ctx: Context, group: str, where: Location) -> list[tuple[str, int]]:
    """(path relative to the location's root, size) of the files under ``where.path``."""
    prefix = f"{where.path}/" if where.path else ""
    if where.run_id is not None:
        found = run_files(hub, ctx, group, where.run_id, prefix)
        return [(f.path, f.size) for f in found]
    assert where.model is not None and where.version is not None
    listed = version_files(hub, ctx, group, where.model, where.version)
    return [(f.path, f.size) for f in listed if f.path.startswith(prefix)]


def children(files: list[tuple[str, int]], prefix: str) -> list[dict[str, Any]]:
    """MLflow lists one level: the files directly under ``prefix`` and its subdirectories."""
    listed: dict[str, dict[str, Any]] = {}
    start = len(f"{prefix}/") if prefix else 0
    for path, size in files:
        head, slash, _ = path[start:].partition("/")
        if slash:
            listed.setdefault(head, {"path": head, "is_dir": True})
        else:
            listed[head] = {"path": head, "is_dir": False, "file_size": size}
    return [listed[k] for k in sorted(listed)]


@router.get(ROOT, name="mlflow.artifacts.list")
def list_artifacts(
    group: str, ctx: Ctx, hub: Services, path: Annotated[str, Query(max_length=2048)] = ""
) -> Response:
    where = locate(path)
    return reply({"files": children(_files(hub, ctx, group, where), where.path)})


@router.put(f"{ROOT}/{{path:path}}", name="mlflow.artifacts.upload")
async def upload(path: str, group: str, request: Request, ctx: Ctx, hub: Services) -> Response:
    where = locate(path)
    if where.run_id is None:
        raise invalid("model version files are read-only: register a new version instead")
    if not where.path:
        raise invalid("an artifact upload needs a file path")
    pieces = body_pieces(request.stream())
    upload_file = hub.tracking.artifacts.upload
    await run_in_threadpool(upload_file, ctx, group, where.run_id, where.path, pieces)
    return reply({})


@router.get(f"{ROOT}/{{path:path}}", name="mlflow.artifacts.download")
def download(path: str, group: str, ctx: Ctx, hub: Services) -> StreamingResponse:
    where = locate(path)
    if where.run_id is not None:
        size, chunks = hub.tracking.artifacts.open(ctx, group, where.run_id, where.path)
    else:
        assert where.model is not None and where.version is not None
        size, chunks = hub.registry.versions.open_file(
            ctx, group, where.model, where.version, where.path
        )
    return StreamingResponse(
        iterate_in_threadpool(chunks),
        media_type="application/octet-stream",
        headers={"Content-Length": str(size)},
    )


@router.get("/api/2.0/mlflow/artifacts/list", name="mlflow.runs.list_artifacts")
def list_run_artifacts(
    group: str,
    ctx: Ctx,
    hub: Services,
    run_id: Annotated[str | None, Query(max_length=64)] = None,
    run_uuid: Annotated[str | None, Query(max_length=64)] = None,
    path: Annotated[str, Query(max_length=2048)] = "",
) -> Response:
    found = hub.tracking.runs.get(ctx, group, check_run_id(run_id or run_uuid))
    where = Location(found.id, None, None, path.strip("/"))
    listed = children(_files(hub, ctx, group, where), where.path)
    if where.path:
        listed = [{**f, "path": f"{where.path}/{f['path']}"} for f in listed]
    root = wire.run_artifact_uri(found.experiment_id, found.id)
    return reply({"root_uri": root, "files": listed})


@router.get("/api/3.0/mlflow/server-info", name="mlflow.server_info")
def server_info(group: str, ctx: Ctx, hub: Services) -> Response:
    """Proxied uploads and downloads only: no multipart, no presigned URLs."""
    hub.tracking.experiments.list(ctx, group, None, 1, None)  # the caller may read the group
    return reply(
        {
            "store_type": "SqlStore",
            "multipart_uploads_enabled": False,
            "multipart_downloads_enabled": False,
        }
    )
