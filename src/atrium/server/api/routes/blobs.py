"""Blob transfer for datasets: missing, single blobs, packs of small blobs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from atrium.contracts.datasets import BlobStored, HashList, Missing, Stored
from atrium.server.api.deps import Ctx, Services
from atrium.server.api.routes import ERRORS
from atrium.server.services.blobs import PACK_MEDIA_TYPE

router = APIRouter(prefix="/groups/{group}/datasets/{name}/blobs", tags=["blobs"], responses=ERRORS)
GroupName = Annotated[str, Path(max_length=63)]
DatasetName = Annotated[str, Path(max_length=63)]
BlobKey = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]
OCTETS = {
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
}


@router.post("/missing", name="blobs.missing")
def missing(
    group: GroupName, name: DatasetName, body: HashList, ctx: Ctx, hub: Services
) -> Missing:
    return Missing(missing=hub.transfers.missing(ctx, group, name, body.hashes))


@router.post(
    "/pack",
    name="blobs.pack",
    openapi_extra={
        "requestBody": {
            "content": {PACK_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}
        }
    },
)
async def put_pack(
    group: GroupName, name: DatasetName, request: Request, ctx: Ctx, hub: Services
) -> Stored:
    """Many small blobs in one request: records of 32-byte hash, 8-byte size, bytes."""
    body = await request.body()
    stored, total = await run_in_threadpool(hub.transfers.put_pack, ctx, group, name, body)
    return Stored(stored=stored, bytes=total)


@router.put(
    "/{key}",
    name="blobs.put",
    status_code=201,
    openapi_extra={"requestBody": OCTETS},
    responses={200: {"model": BlobStored, "description": "Already stored"}},
)
async def put_blob(
    group: GroupName,
    name: DatasetName,
    key: BlobKey,
    request: Request,
    ctx: Ctx,
    hub: Services,
    response: Response,
) -> BlobStored:
    body = await request.body()
    size, created = await run_in_threadpool(hub.transfers.put, ctx, group, name, key, [body])
    response.status_code = 201 if created else 200
    return BlobStored(hash=key, size=size)


@router.get("/{key}", name="blobs.get", response_class=StreamingResponse, responses={200: OCTETS})
def get_blob(
    group: GroupName, name: DatasetName, key: BlobKey, ctx: Ctx, hub: Services
) -> StreamingResponse:
    size, chunks = hub.transfers.open(ctx, group, name, key)
    headers = {"Content-Length": str(size), "Cache-Control": "private, max-age=31536000, immutable"}
    return StreamingResponse(
        iterate_in_threadpool(chunks), media_type="application/octet-stream", headers=headers
    )


@router.post(
    "/unpack",
    name="blobs.unpack",
    response_class=StreamingResponse,
    responses={200: {"content": {PACK_MEDIA_TYPE: {}}}},
)
def unpack(
    group: GroupName, name: DatasetName, body: HashList, ctx: Ctx, hub: Services
) -> StreamingResponse:
    records = hub.transfers.unpack(ctx, group, name, body.hashes)
    return StreamingResponse(iterate_in_threadpool(records), media_type=PACK_MEDIA_TYPE)
