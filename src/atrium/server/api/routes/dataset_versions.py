"""Dataset versions: plan, commit, list, files, diff, verify."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Response

from atrium.contracts.common import Page
from atrium.contracts.datasets import (
    DiffPage,
    FileEntry,
    FilePage,
    VerifyReport,
    Version,
    VersionCreate,
)
from atrium.server.api.deps import Ctx, Paging, Services
from atrium.server.api.routes import ERRORS

router = APIRouter(
    prefix="/groups/{group}/datasets/{name}", tags=["dataset versions"], responses=ERRORS
)

GroupName = Annotated[str, Path(max_length=63)]
DatasetName = Annotated[str, Path(max_length=63)]
Ref = Annotated[str, Path(max_length=100, description="latest, v3, 3, or a tag")]
# Paths run to 1,024 characters, and a cursor holds one JSON-escaped (up to 12 bytes a
# character) in base64.
PathCursor = Annotated[
    str | None, Query(max_length=20_000, description="next_cursor of the previous page")
]


def json_response(content: dict[str, Any]) -> Response:
    """``content`` encoded by orjson: a pull lists 20,000 files in one page, and FastAPI would
    validate them against the response model and encode them several times slower. The bytes
    are the same (compact, UTF-8); ``response_model`` keeps the schema documented."""
    return Response(orjson.dumps(content), media_type="application/json")


@router.post("/versions/plan", name="versions.plan")
def plan_version(
    group: GroupName, name: DatasetName, body: VersionCreate, ctx: Ctx, hub: Services
) -> dict[str, Any]:
    """Which blobs a push must upload, and whether the storage quota allows the version."""
    return hub.versions.plan(ctx, group, name, body)


@router.post("/versions", status_code=201, name="versions.create")
def create_version(
    group: GroupName, name: DatasetName, body: VersionCreate, ctx: Ctx, hub: Services
) -> Version:
    return hub.versions.commit(ctx, group, name, body)


@router.get("/versions", name="versions.list")
def list_versions(
    group: GroupName, name: DatasetName, ctx: Ctx, hub: Services, paging: Paging
) -> Page[Version]:
    return hub.versions.list(ctx, group, name, paging.limit, paging.cursor)


@router.get("/versions/{ref}", name="versions.get")
def get_version(group: GroupName, name: DatasetName, ref: Ref, ctx: Ctx, hub: Services) -> Version:
    return hub.versions.get(ctx, group, name, ref)


@router.delete("/versions/{ref}", status_code=204, name="versions.delete")
def delete_version(
    group: GroupName, name: DatasetName, ref: Ref, ctx: Ctx, hub: Services
) -> Response:
    hub.versions.delete(ctx, group, name, ref)
    return Response(status_code=204)


@router.get("/versions/{ref}/files", name="versions.files", response_model=FilePage)
def list_files(
    group: GroupName,
    name: DatasetName,
    ref: Ref,
    ctx: Ctx,
    hub: Services,
    prefix: Annotated[str | None, Query(max_length=4096)] = None,
    limit: Annotated[int, Query(ge=1, le=100_000, description="Files per page")] = 1000,
    cursor: PathCursor = None,
) -> Response:
    items, nxt = hub.versions.files(ctx, group, name, ref, prefix, limit, cursor)
    return json_response({"items": items, "next_cursor": nxt})


@router.get("/versions/{ref}/file", name="versions.file")
def get_file(
    group: GroupName,
    name: DatasetName,
    ref: Ref,
    ctx: Ctx,
    hub: Services,
    path: Annotated[str, Query(max_length=4096)],
) -> FileEntry:
    return hub.versions.file(ctx, group, name, ref, path)


@router.post("/versions/{ref}/verify", name="versions.verify")
def verify_version(
    group: GroupName, name: DatasetName, ref: Ref, ctx: Ctx, hub: Services
) -> VerifyReport:
    checked, total, damaged = hub.versions.verify(ctx, group, name, ref)
    return VerifyReport(checked=checked, bytes=total, damaged=damaged)


@router.get("/diff", name="versions.diff")
def diff_versions(
    group: GroupName,
    name: DatasetName,
    ctx: Ctx,
    hub: Services,
    from_: Annotated[str, Query(alias="from", max_length=100)],
    to: Annotated[str, Query(max_length=100)] = "latest",
    limit: Annotated[int, Query(ge=1, le=10_000, description="Changes per page")] = 1000,
    cursor: PathCursor = None,
) -> DiffPage:
    """Files added, removed and modified, by path, a page at a time; ``summary`` totals the
    whole diff on every page."""
    return hub.versions.diff(ctx, group, name, (from_, to), limit, cursor)
