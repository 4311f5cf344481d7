"""Runs: lifecycle, batched logging, metric histories, search, compare, artifacts.

Large answers (search pages, histories) are serialised by Pydantic straight to JSON bytes:
FastAPI would validate them again and encode them with the standard library, several times
slower for a 100,000-point history. A search page is encoded run by run as its runs are built
(services/run_access.py RunViews says why), by orjson from plain dicts: three times as fast as
Pydantic, and the same bytes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

import anyio.from_thread
import orjson
from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from atrium.contracts.common import Page
from atrium.contracts.registry import ModelVersion
from atrium.contracts.tracking import (
    MAX_INT,
    Artifact,
    ExperimentName,
    LogBatch,
    Logged,
    MetricHistory,
    OrderBy,
    Run,
    RunComparison,
    RunCreate,
    RunField,
    RunSearch,
    RunUpdate,
)
from atrium.server.api.deps import Ctx, Paging, Services
from atrium.server.api.routes import ERRORS
from atrium.server.services.run_access import RunViews

router = APIRouter(prefix="/groups/{group}/runs", tags=["tracking"], responses=ERRORS)
GroupName = Annotated[str, Path(max_length=63)]
RunIdPath = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="32 hex characters")]
ArtifactPath = Annotated[
    str, Query(min_length=1, max_length=1024, description="Relative path in the run")
]
StepQuery = Annotated[int | None, Query(ge=-MAX_INT, le=MAX_INT)]
OCTETS = {
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
}


def model_response(model: BaseModel, status_code: int = 200) -> Response:
    return Response(model.model_dump_json(), status_code, media_type="application/json")


def runs_page_response(runs: RunViews, next_cursor: str | None) -> Response:
    """What ``model_response(Page[Run](...))`` sends, each run encoded as soon as it is made
    (UTC times end in Z, as Pydantic writes them)."""
    items = b",".join([orjson.dumps(run, option=orjson.OPT_UTC_Z) for run in runs.json_ready()])
    body = b'{"items":[' + items + b'],"next_cursor":' + orjson.dumps(next_cursor) + b"}"
    return Response(body, media_type="application/json")


@router.get("", name="runs.list", response_model=Page[Run])
def list_runs(
    group: GroupName,
    ctx: Ctx,
    hub: Services,
    experiment: Annotated[list[ExperimentName] | None, Query(max_length=100)] = None,
    filter: Annotated[str, Query(max_length=10_000, description="e.g. metrics.acc > 0.9")] = "",
    order_by: Annotated[list[OrderBy] | None, Query(max_length=10)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    fields: Annotated[
        list[RunField] | None,
        Query(max_length=100, description="e.g. metrics.acc, params (everything if unset)"),
    ] = None,
) -> Response:
    query = RunSearch(
        experiments=experiment,
        filter=filter,
        order_by=order_by or [],
        limit=limit,
        cursor=cursor,
        fields=fields,
    )
    return runs_page_response(*hub.tracking.search.views(ctx, group, query))


@router.post("/search", name="runs.search", response_model=Page[Run])
def search_runs(group: GroupName, body: RunSearch, ctx: Ctx, hub: Services) -> Response:
    """Like the list, for filters too long for a URL."""
    return runs_page_response(*hub.tracking.search.views(ctx, group, body))


@router.post("", status_code=201, name="runs.create")
def create_run(group: GroupName, body: RunCreate, ctx: Ctx, hub: Services) -> Run:
    return hub.tracking.runs.create(ctx, group, body)


@router.get("/compare", name="runs.compare", response_model=RunComparison)
def compare_runs(
    group: GroupName,
    ctx: Ctx,
    hub: Services,
    ids: Annotated[str, Query(max_length=3400, description="Run ids, comma-separated")],
) -> Response:
    """Runs side by side: the union of their params and latest metrics."""
    return model_response(hub.tracking.search.compare(ctx, group, ids.split(",")))


@router.get("/{run_id}", name="runs.get", response_model=Run)
def get_run(group: GroupName, run_id: RunIdPath, ctx: Ctx, hub: Services) -> Response:
    return model_response(hub.tracking.runs.get(ctx, group, run_id))


@router.get("/{run_id}/model-versions", name="runs.model_versions")
def model_versions_of_run(
    group: GroupName, run_id: RunIdPath, ctx: Ctx, hub: Services
) -> list[ModelVersion]:
    """The model versions registered from this run (its lineage onwards), by model name."""
    return list(hub.registry.versions.of_run(ctx, group, run_id))


@router.patch("/{run_id}", name="runs.update", response_model=Run)
def update_run(
    group: GroupName, run_id: RunIdPath, body: RunUpdate, ctx: Ctx, hub: Services
) -> Response:
    return model_response(hub.tracking.runs.update(ctx, group, run_id, body))


@router.delete("/{run_id}", status_code=204, name="runs.delete")
def delete_run(group: GroupName, run_id: RunIdPath, ctx: Ctx, hub: Services) -> Response:
    hub.tracking.runs.delete(ctx, group, run_id)
    return Response(status_code=204)


@router.post("/{run_id}/log-batch", name="runs.log_batch")
def log_batch(
    group: GroupName, run_id: RunIdPath, body: LogBatch, ctx: Ctx, hub: Services
) -> Logged:
    """Params, tags and metric points in one request, all or nothing."""
    return hub.tracking.logging.log_batch(ctx, group, run_id, body)


@router.delete("/{run_id}/tags", status_code=204, name="runs.untag")
def delete_tag(
    group: GroupName,
    run_id: RunIdPath,
    key: Annotated[str, Query(min_length=1, max_length=250)],
    ctx: Ctx,
    hub: Services,
) -> Response:
    hub.tracking.runs.delete_tag(ctx, group, run_id, key)
    return Response(status_code=204)


@router.get("/{run_id}/metrics/history", name="runs.metric_history", response_model=MetricHistory)
def metric_history(
    group: GroupName,
    run_id: RunIdPath,
    ctx: Ctx,
    hub: Services,
    key: Annotated[str, Query(max_length=250)],
    max_points: Annotated[
        int | None,
        Query(ge=10, le=1_000_000, description="Downsample to at most this many points"),
    ] = None,
    start_step: StepQuery = None,
    end_step: StepQuery = None,
) -> Response:
    """One metric's points in step order, whole or downsampled (min, max, last per bucket)."""
    found = hub.tracking.logging.history(ctx, group, run_id, key, max_points, start_step, end_step)
    return model_response(found)


@router.get("/{run_id}/artifacts", name="runs.artifacts")
def list_artifacts(
    group: GroupName,
    run_id: RunIdPath,
    ctx: Ctx,
    hub: Services,
    paging: Paging,
    prefix: Annotated[str | None, Query(max_length=1024)] = None,
) -> Page[Artifact]:
    return hub.tracking.artifacts.list(ctx, group, run_id, prefix, paging.limit, paging.cursor)


@router.put(
    "/{run_id}/artifacts/file",
    status_code=201,
    name="runs.upload_artifact",
    openapi_extra={"requestBody": OCTETS},
)
async def upload_artifact(
    group: GroupName,
    run_id: RunIdPath,
    path: ArtifactPath,
    request: Request,
    ctx: Ctx,
    hub: Services,
) -> Artifact:
    """Store the request body as the artifact at ``path`` (replacing one already there)."""
    pieces = body_pieces(request.stream())
    return await run_in_threadpool(hub.tracking.artifacts.upload, ctx, group, run_id, path, pieces)


@router.get(
    "/{run_id}/artifacts/file",
    name="runs.download_artifact",
    response_class=StreamingResponse,
    responses={200: OCTETS},
)
def download_artifact(
    group: GroupName, run_id: RunIdPath, ctx: Ctx, hub: Services, path: ArtifactPath
) -> StreamingResponse:
    size, chunks = hub.tracking.artifacts.open(ctx, group, run_id, path)
    headers = {"Content-Length": str(size)}
    return StreamingResponse(
        iterate_in_threadpool(chunks), media_type="application/octet-stream", headers=headers
    )


def body_pieces(stream: AsyncIterator[bytes]) -> Iterator[bytes]:
    """The request body as a blocking iterator for the worker thread the upload runs in:
    the body streams into the blob store instead of being held in memory whole."""

    async def next_piece() -> bytes:
        return await stream.__anext__()

    while True:
        try:
            yield anyio.from_thread.run(next_piece)
        except StopAsyncIteration:
            return
