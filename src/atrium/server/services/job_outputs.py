"""Reading what attempts produce: logs (live from the executor, then from the blob store),
artifacts and resource samples. Attempt ``None`` means the job's latest attempt."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session

from atrium.contracts.common import Page
from atrium.contracts.jobs import Artifact, ResourceSample
from atrium.server.backends.blobstore import BlobStore
from atrium.server.backends.executors.base import ExecutorError
from atrium.server.domain.errors import NotFound
from atrium.server.domain.jobs import JobState
from atrium.server.domain.model import Context
from atrium.server.services import policy
from atrium.server.services.job_files import CHUNK, READ_PIECE, read_blobs
from atrium.server.services.job_runtime import JobRuntime
from atrium.server.store import jobs as job_store
from atrium.server.store.db import Database
from atrium.server.store.tables import JobAttemptRow, JobRow, JobSampleRow


@dataclass(frozen=True)
class AttemptRef:
    """One attempt of a job in a group; ``attempt`` None means the job's latest."""

    group: str
    job_id: int
    attempt: int | None = None


@dataclass(frozen=True)
class LogPiece:
    """Log bytes from ``offset`` up to ``next_offset``; ``ended`` once no more will come."""

    attempt: int | None
    offset: int
    next_offset: int
    data: bytes
    ended: bool


def utf8_boundary(data: bytes) -> int:
    """Length of ``data`` without a trailing, incomplete UTF-8 sequence (it comes next time)."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 != 0x80:  # not a continuation byte: the start of the last character
            width = 2 if byte >> 5 == 0b110 else 3 if byte >> 4 == 0b1110 else 4
            if byte >> 7 == 0 or byte >> 3 == 0b11111 or back >= width:
                return len(data)
            return len(data) - back
    return len(data)


class JobOutputs:
    def __init__(self, db: Database, blobs: BlobStore, runtime: JobRuntime) -> None:
        self.db = db
        self.blobs = blobs
        self.runtime = runtime

    def read_log(self, ctx: Context, ref: AttemptRef, offset: int, limit: int) -> LogPiece:
        with self.db.read() as s:
            job, row = self._attempt(s, ctx, ref, required=False)
        if row is None:
            return LogPiece(None, offset, offset, b"", ended=JobState(job.status).terminal)
        ended = row.log_chunks is not None
        data = self._stored(row, offset, limit) if ended else self._live(row, offset, limit)
        if not ended:
            data = data[: utf8_boundary(data)]
        done = ended and offset + len(data) >= row.log_bytes
        return LogPiece(row.number, offset, offset + len(data), data, done)

    def _stored(self, row: JobAttemptRow, offset: int, limit: int) -> bytes:
        keys = row.log_chunks or []
        index, skip = divmod(offset, CHUNK)
        out = bytearray()
        while index < len(keys) and len(out) < limit:
            out += self.blobs.get_bytes(keys[index])[skip : skip + limit - len(out)]
            index, skip = index + 1, 0
        return bytes(out)

    def _live(self, row: JobAttemptRow, offset: int, limit: int) -> bytes:
        if row.handle is None:
            return b""
        try:
            return self.runtime.executor.read_log(row.handle, offset, limit)
        except ExecutorError:  # another replica's attempt, or just ended: try again soon
            return b""

    def download_log(self, ctx: Context, ref: AttemptRef) -> tuple[int | None, Iterator[bytes]]:
        """The whole log as raw bytes; (size, chunks) once stored, (None, ...) while live."""
        with self.db.read() as s:
            row = self._attempt(s, ctx, ref)[1]
        assert row is not None
        if row.log_chunks is not None:
            return row.log_bytes, read_blobs(self.blobs, row.log_chunks)
        return None, self._live_pieces(row)

    def _live_pieces(self, row: JobAttemptRow) -> Iterator[bytes]:
        offset = 0
        while piece := self._live(row, offset, READ_PIECE):
            yield piece
            offset += len(piece)

    def artifacts(
        self, ctx: Context, ref: AttemptRef, limit: int, cursor: str | None
    ) -> Page[Artifact]:
        with self.db.read() as s:
            row = self._attempt(s, ctx, ref, required=False)[1]
            if row is None:
                return Page[Artifact](items=[])
            rows, nxt = job_store.artifacts_page(s, row.id, limit, cursor)
            items = [
                Artifact(path=a.path, size=a.size, hash=a.hash, attempt=row.number) for a in rows
            ]
            return Page[Artifact](items=items, next_cursor=nxt)

    def open_artifact(
        self, ctx: Context, ref: AttemptRef, path: str
    ) -> tuple[int, Iterator[bytes]]:
        with self.db.read() as s:
            row = self._attempt(s, ctx, ref)[1]
            assert row is not None
            found = job_store.artifact(s, row.id, path)
            if found is None:
                raise NotFound(
                    f"artifact {path!r} not found in attempt {row.number} of job {ref.job_id}"
                )
        return found.size, read_blobs(self.blobs, found.chunks or [found.hash])

    def samples(
        self, ctx: Context, ref: AttemptRef, limit: int, cursor: str | None
    ) -> Page[ResourceSample]:
        with self.db.read() as s:
            row = self._attempt(s, ctx, ref, required=False)[1]
            if row is None:
                return Page[ResourceSample](items=[])
            rows, nxt = job_store.samples_page(s, row.id, limit, cursor)
            items = [_sample(row.number, r) for r in rows]
            return Page[ResourceSample](items=items, next_cursor=nxt)

    @staticmethod
    def _attempt(
        s: Session, ctx: Context, ref: AttemptRef, required: bool = True
    ) -> tuple[JobRow, JobAttemptRow | None]:
        g = policy.require_group(s, ctx.principal, ref.group, "job.list")
        job = job_store.get(s, g.id, ref.job_id)
        if job is None:
            raise NotFound(f"job {ref.job_id} not found in {ref.group!r}")
        row = job_store.attempt(s, job.id, ref.attempt)
        if row is None and (required or ref.attempt is not None):
            which = f"attempt {ref.attempt}" if ref.attempt is not None else "any attempt"
            raise NotFound(f"job {ref.job_id} has no {which} yet")
        return job, row


def _sample(attempt: int, row: JobSampleRow) -> ResourceSample:
    return ResourceSample(
        attempt=attempt,
        time=row.time,
        cpu_percent=row.cpu_percent,
        memory_bytes=row.memory_bytes,
        gpu_percent=row.gpu_percent,
        gpu_memory_bytes=row.gpu_memory_bytes,
    )
