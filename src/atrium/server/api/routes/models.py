"""Model registry: registered models, versions, their files, aliases, refs and lineage."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from atrium.contracts.common import Page
from atrium.contracts.registry import (
    ALIAS_PATTERN,
    MODEL_NAME_PATTERN,
    AliasMove,
    AliasSet,
    Lineage,
    ModelAlias,
    ModelCreate,
    ModelFile,
    ModelUpdate,
    ModelVersion,
    RegisteredModel,
    TagSet,
    VersionCreate,
    VersionStatus,
    VersionUpdate,
)
from atrium.server.api.deps import Ctx, Paging, Services
from atrium.server.api.routes import ERRORS
from atrium.server.api.routes.runs import OCTETS, body_pieces

router = APIRouter(prefix="/groups/{group}/models", tags=["models"], responses=ERRORS)
GroupName = Annotated[str, Path(max_length=63)]
Name = Annotated[str, Path(pattern=MODEL_NAME_PATTERN, max_length=250)]
Number = Annotated[int, Path(ge=1, le=2**31 - 1, description="Version number")]
Alias = Annotated[str, Path(pattern=ALIAS_PATTERN, max_length=255)]
TagKey = Annotated[str, Query(min_length=1, max_length=250)]
FilePath = Annotated[str, Query(min_length=1, max_length=1024, description="Path in the version")]


@router.get("", name="models.list")
def list_models(
    group: GroupName,
    ctx: Ctx,
    hub: Services,
    paging: Paging,
    filter: Annotated[
        str | None, Query(max_length=250, description="Names containing this text")
    ] = None,
) -> Page[RegisteredModel]:
    return hub.registry.models.list(ctx, group, filter, paging.limit, paging.cursor)


@router.post("", status_code=201, name="models.create")
def create_model(group: GroupName, body: ModelCreate, ctx: Ctx, hub: Services) -> RegisteredModel:
    return hub.registry.models.create(ctx, group, body)


@router.get("/resolve", name="models.resolve")
def resolve_ref(
    group: GroupName,
    ctx: Ctx,
    hub: Services,
    ref: Annotated[
        str, Query(max_length=600, description="models:/name/3, models:/name@alias, .../latest")
    ],
) -> ModelVersion:
    """The version a model ref names."""
    return hub.registry.resolve(ctx, group, ref)


@router.get("/{name}", name="models.get")
def get_model(group: GroupName, name: Name, ctx: Ctx, hub: Services) -> RegisteredModel:
    return hub.registry.models.get(ctx, group, name)


@router.patch("/{name}", name="models.update")
def update_model(
    group: GroupName, name: Name, body: ModelUpdate, ctx: Ctx, hub: Services
) -> RegisteredModel:
    return hub.registry.models.update(ctx, group, name, body)


@router.delete("/{name}", status_code=204, name="models.delete")
def delete_model(group: GroupName, name: Name, ctx: Ctx, hub: Services) -> Response:
    """Delete the model and its versions; their blobs go at the next GC."""
    hub.registry.models.delete(ctx, group, name)
    return Response(status_code=204)


@router.put("/{name}/tags", status_code=204, name="models.tag")
def tag_model(group: GroupName, name: Name, body: TagSet, ctx: Ctx, hub: Services) -> Response:
    hub.registry.models.set_tag(ctx, group, name, body.key, body.value)
    return Response(status_code=204)


@router.delete("/{name}/tags", status_code=204, name="models.untag")
def untag_model(group: GroupName, name: Name, key: TagKey, ctx: Ctx, hub: Services) -> Response:
    hub.registry.models.delete_tag(ctx, group, name, key)
    return Response(status_code=204)


# ---- versions ----------------------------------------------------------------------------------


@router.get("/{name}/versions", name="models.versions")
def list_versions(
    group: GroupName,
    name: Name,
    ctx: Ctx,
    hub: Services,
    paging: Paging,
    status: VersionStatus | None = None,
) -> Page[ModelVersion]:
    """The model's versions, newest first."""
    versions = hub.registry.versions
    return versions.list(ctx, group, name, status, paging.limit, paging.cursor)


@router.post("/{name}/versions", status_code=201, name="models.create_version")
def create_version(
    group: GroupName, name: Name, body: VersionCreate, ctx: Ctx, hub: Services
) -> ModelVersion:
    """From a run's artifacts (``source``), ready at once; else pending, for uploads."""
    return hub.registry.versions.create(ctx, group, name, body)


@router.get("/{name}/versions/{version}", name="models.get_version")
def get_version(
    group: GroupName, name: Name, version: Number, ctx: Ctx, hub: Services
) -> ModelVersion:
    return hub.registry.versions.get(ctx, group, name, version)


@router.patch("/{name}/versions/{version}", name="models.update_version")
def update_version(
    group: GroupName, name: Name, version: Number, body: VersionUpdate, ctx: Ctx, hub: Services
) -> ModelVersion:
    return hub.registry.versions.update(ctx, group, name, version, body)


@router.delete("/{name}/versions/{version}", status_code=204, name="models.delete_version")
def delete_version(
    group: GroupName, name: Name, version: Number, ctx: Ctx, hub: Services
) -> Response:
    """Delete the version (and the aliases on it); its blobs go at the next GC."""
    hub.registry.versions.delete(ctx, group, name, version)
    return Response(status_code=204)


@router.put("/{name}/versions/{version}/tags", status_code=204, name="models.tag_version")
def tag_version(
    group: GroupName, name: Name, version: Number, body: TagSet, ctx: Ctx, hub: Services
) -> Response:
    hub.registry.versions.set_tag(ctx, group, name, version, body.key, body.value)
    return Response(status_code=204)


@router.delete("/{name}/versions/{version}/tags", status_code=204, name="models.untag_version")
def untag_version(
    group: GroupName, name: Name, version: Number, key: TagKey, ctx: Ctx, hub: Services
) -> Response:
    hub.registry.versions.delete_tag(ctx, group, name, version, key)
    return Response(status_code=204)


@router.get("/{name}/versions/{version}/files", name="models.files")
def list_files(
    group: GroupName, name: Name, version: Number, ctx: Ctx, hub: Services, paging: Paging
) -> Page[ModelFile]:
    versions = hub.registry.versions
    return versions.files(ctx, group, name, version, paging.limit, paging.cursor)


@router.get(
    "/{name}/versions/{version}/files/content",
    name="models.download_file",
    response_class=StreamingResponse,
    responses={200: OCTETS},
)
def download_file(
    group: GroupName, name: Name, version: Number, path: FilePath, ctx: Ctx, hub: Services
) -> StreamingResponse:
    size, chunks = hub.registry.versions.open_file(ctx, group, name, version, path)
    headers = {"Content-Length": str(size)}
    return StreamingResponse(
        iterate_in_threadpool(chunks), media_type="application/octet-stream", headers=headers
    )


@router.put(
    "/{name}/versions/{version}/files/content",
    status_code=201,
    name="models.upload_file",
    openapi_extra={"requestBody": OCTETS},
)
async def upload_file(
    group: GroupName,
    name: Name,
    version: Number,
    path: FilePath,
    request: Request,
    ctx: Ctx,
    hub: Services,
) -> ModelFile:
    """Store the request body as the file at ``path`` of a pending version."""
    pieces = body_pieces(request.stream())
    upload = hub.registry.versions.upload_file
    return await run_in_threadpool(upload, ctx, group, name, version, path, pieces)


@router.post("/{name}/versions/{version}/finalize", name="models.finalize")
def finalize(
    group: GroupName, name: Name, version: Number, ctx: Ctx, hub: Services
) -> ModelVersion:
    """Mark an uploaded version ready (its MLmodel file, if any, fills flavors and signature)."""
    return hub.registry.versions.finalize(ctx, group, name, version)


@router.get("/{name}/versions/{version}/lineage", name="models.lineage")
def lineage(group: GroupName, name: Name, version: Number, ctx: Ctx, hub: Services) -> Lineage:
    """Version -> run -> job -> environment -> dataset versions."""
    return hub.registry.lineage(ctx, group, name, version)


# ---- aliases -----------------------------------------------------------------------------------


@router.get("/{name}/aliases/{alias}", name="models.get_alias")
def get_alias(group: GroupName, name: Name, alias: Alias, ctx: Ctx, hub: Services) -> ModelAlias:
    return hub.registry.aliases.get(ctx, group, name, alias)


@router.put("/{name}/aliases/{alias}", name="models.set_alias")
def set_alias(
    group: GroupName, name: Name, alias: Alias, body: AliasSet, ctx: Ctx, hub: Services
) -> ModelAlias:
    """Point the alias at a ready version (moving it if it exists); audited and kept in the
    model's history."""
    return hub.registry.aliases.set(ctx, group, name, alias, body.version)


@router.delete("/{name}/aliases/{alias}", status_code=204, name="models.delete_alias")
def delete_alias(group: GroupName, name: Name, alias: Alias, ctx: Ctx, hub: Services) -> Response:
    hub.registry.aliases.delete(ctx, group, name, alias)
    return Response(status_code=204)


@router.get("/{name}/history", name="models.history")
def alias_history(
    group: GroupName,
    name: Name,
    ctx: Ctx,
    hub: Services,
    paging: Paging,
    alias: Annotated[str | None, Query(max_length=255)] = None,
) -> Page[AliasMove]:
    """Alias moves, newest first."""
    return hub.registry.aliases.history(ctx, group, name, alias, paging.limit, paging.cursor)
