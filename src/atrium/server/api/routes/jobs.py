"""Jobs: submit, list, get, wait, cancel, rerun, clone; logs, artifacts, resource samples."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from atrium.contracts.common import Page
from atrium.contracts.jobs import Artifact, Job, JobStatus, JobSubmit, ResourceSample
from atrium.server.api.deps import Ctx, Paging, Services
from atrium.server.api.routes import ERRORS
from atrium.server.domain.jobs import JobState
from atrium.server.domain.model import Context
from atrium.server.services.hub import Hub
from atrium.server.services.job_outputs import AttemptRef

router = APIRouter(prefix="/groups/{group}/jobs", tags=["jobs"], responses=ERRORS)
GroupName = Annotated[str, Path(max_length=63)]
JobId = Annotated[int, Path(ge=1, le=2**53)]
AttemptNo = Annotated[
    int | None, Query(ge=1, le=1000, description="Attempt number; default the latest")
]
OCTETS: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
    }
}
TEXT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/plain": {"schema": {"type": "string"}}}}
}
# Logs are the job's own bytes: never let a browser sniff them into HTML.
SAFE = {"X-Content-Type-Options": "nosniff"}
LOG_LIMIT = 1 << 20
FOLLOW_POLL = 0.1
WAIT_RECHECK = 1.0  # other replicas end jobs without telling this process


@router.post("", status_code=201, name="jobs.submit")
def submit_job(group: GroupName, body: JobSubmit, ctx: Ctx, hub: Services) -> Job:
    return hub.jobs.submit(ctx, group, body)


@router.get("", name="jobs.list")
def list_jobs(
    group: GroupName,
    ctx: Ctx,
    hub: Services,
    paging: Paging,
    status: Annotated[list[JobStatus] | None, Query(description="Only these states")] = None,
    mine: Annotated[bool, Query(description="Only jobs I submitted")] = False,
) -> Page[Job]:
    return hub.jobs.list(ctx, group, status, mine, paging.limit, paging.cursor)


@router.get("/{job_id}", name="jobs.get")
def get_job(group: GroupName, job_id: JobId, ctx: Ctx, hub: Services) -> Job:
    return hub.jobs.get(ctx, group, job_id)


@router.get("/{job_id}/wait", name="jobs.wait")
async def wait_job(
    group: GroupName,
    job_id: JobId,
    ctx: Ctx,
    hub: Services,
    timeout: Annotated[float, Query(ge=0, le=300, description="Seconds to wait at most")] = 30,
) -> Job:
    """The job once it has ended, or as it is when ``timeout`` runs out."""
    deadline = time.monotonic() + timeout
    signal = hub.jobs.signal
    while True:
        seen = signal.generation
        job = await run_in_threadpool(hub.jobs.get, ctx, group, job_id)
        if JobState(job.status).terminal or time.monotonic() >= deadline:
            return job
        recheck = min(deadline, time.monotonic() + WAIT_RECHECK)
        while signal.generation == seen and time.monotonic() < recheck:
            await asyncio.sleep(0.005)


@router.post("/{job_id}/cancel", name="jobs.cancel")
def cancel_job(group: GroupName, job_id: JobId, ctx: Ctx, hub: Services) -> Job:
    return hub.jobs.cancel(ctx, group, job_id)


@router.post("/{job_id}/rerun", status_code=201, name="jobs.rerun")
def rerun_job(group: GroupName, job_id: JobId, ctx: Ctx, hub: Services) -> Job:
    return hub.jobs.rerun(ctx, group, job_id)


@router.get("/{job_id}/clone", name="jobs.clone")
def clone_job(group: GroupName, job_id: JobId, ctx: Ctx, hub: Services) -> JobSubmit:
    """The job's spec, to edit and submit as a new job."""
    return hub.jobs.clone(ctx, group, job_id)


@router.get("/{job_id}/logs", name="jobs.logs", response_class=Response, responses=TEXT)
async def job_logs(
    group: GroupName,
    job_id: JobId,
    ctx: Ctx,
    hub: Services,
    attempt: AttemptNo = None,
    offset: Annotated[int, Query(ge=0, le=2**53, description="Byte offset to start at")] = 0,
    limit: Annotated[int, Query(ge=1, le=16 << 20, description="Bytes at most")] = LOG_LIMIT,
    follow: Annotated[bool, Query(description="Stream until the attempt ends")] = False,
) -> Response:
    """Log text from ``offset``; ``X-Log-Offset`` is where the next read starts."""
    ref = AttemptRef(group, job_id, attempt)
    piece = await run_in_threadpool(hub.job_outputs.read_log, ctx, ref, offset, limit)
    headers = {
        **SAFE,
        "X-Log-Offset": str(piece.next_offset),
        "X-Log-Ended": "true" if piece.ended else "false",
    }
    if piece.attempt is not None:
        headers["X-Log-Attempt"] = str(piece.attempt)
    media = "text/plain; charset=utf-8"
    text = piece.data.decode("utf-8", "replace")
    if not follow or piece.ended:
        return Response(text, media_type=media, headers=headers)
    rest = _follow(hub, ctx, AttemptRef(group, job_id, piece.attempt), piece.next_offset)
    return StreamingResponse(_chain(text, rest), media_type=media, headers=SAFE)


async def _chain(first: str, rest: AsyncIterator[str]) -> AsyncIterator[str]:
    if first:
        yield first
    async for text in rest:
        yield text


async def _follow(hub: Hub, ctx: Context, ref: AttemptRef, offset: int) -> AsyncIterator[str]:
    """Poll the log and pass on what is new; an attempt once known is kept (a retry is not
    mixed in at the old offset)."""
    while True:
        piece = await run_in_threadpool(hub.job_outputs.read_log, ctx, ref, offset, LOG_LIMIT)
        if ref.attempt is None and piece.attempt is not None:
            ref = AttemptRef(ref.group, ref.job_id, piece.attempt)
        if piece.data:
            yield piece.data.decode("utf-8", "replace")
        if piece.ended:
            return
        offset = piece.next_offset
        if not piece.data:
            await asyncio.sleep(FOLLOW_POLL)


@router.get(
    "/{job_id}/logs/download",
    name="jobs.log_download",
    response_class=StreamingResponse,
    responses=OCTETS,
)
def download_log(
    group: GroupName, job_id: JobId, ctx: Ctx, hub: Services, attempt: AttemptNo = None
) -> StreamingResponse:
    """The raw log bytes (so far, while the attempt runs)."""
    size, chunks = hub.job_outputs.download_log(ctx, AttemptRef(group, job_id, attempt))
    name = f"job-{job_id}{f'-attempt-{attempt}' if attempt else ''}.log"
    return _download(chunks, name, size)


@router.get("/{job_id}/artifacts", name="jobs.artifacts")
def list_artifacts(
    group: GroupName,
    job_id: JobId,
    ctx: Ctx,
    hub: Services,
    paging: Paging,
    attempt: AttemptNo = None,
) -> Page[Artifact]:
    ref = AttemptRef(group, job_id, attempt)
    return hub.job_outputs.artifacts(ctx, ref, paging.limit, paging.cursor)


@router.get(
    "/{job_id}/artifacts/file",
    name="jobs.artifact",
    response_class=StreamingResponse,
    responses=OCTETS,
)
def download_artifact(
    group: GroupName,
    job_id: JobId,
    ctx: Ctx,
    hub: Services,
    path: Annotated[str, Query(min_length=1, max_length=1024)],
    attempt: AttemptNo = None,
) -> StreamingResponse:
    size, chunks = hub.job_outputs.open_artifact(ctx, AttemptRef(group, job_id, attempt), path)
    return _download(chunks, path.rsplit("/", 1)[-1], size)


@router.get("/{job_id}/samples", name="jobs.samples")
def list_samples(
    group: GroupName,
    job_id: JobId,
    ctx: Ctx,
    hub: Services,
    paging: Paging,
    attempt: AttemptNo = None,
) -> Page[ResourceSample]:
    """CPU, memory (and GPU) of the attempt's process tree, oldest first."""
    ref = AttemptRef(group, job_id, attempt)
    return hub.job_outputs.samples(ctx, ref, paging.limit, paging.cursor)


def _download(chunks: Iterator[bytes], filename: str, size: int | None) -> StreamingResponse:
    headers = {**SAFE, "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"}
    if size is not None:
        headers["Content-Length"] = str(size)
    return StreamingResponse(
        iterate_in_threadpool(chunks), media_type="application/octet-stream", headers=headers
    )
