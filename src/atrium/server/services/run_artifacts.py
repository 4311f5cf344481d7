"""Run artifacts in the blob store, and the storage they take from the group's quota.

An upload streams into the blob store first (cut into 16 MiB blobs), then one transaction
records the artifact, the run's blob set and the group's storage holding; a refusal there
(quota, a run deleted meanwhile) leaves only unreferenced blobs, which GC removes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy.orm import Session

from atrium.contracts.common import Page
from atrium.contracts.tracking import Artifact
from atrium.server.backends.blobstore import BlobStore
from atrium.server.domain.clock import Clock
from atrium.server.domain.errors import Conflict, NotFound
from atrium.server.domain.model import Context
from atrium.server.domain.tracking import check_artifact_path
from atrium.server.services import run_access as access
from atrium.server.services.audit import Auditor
from atrium.server.services.job_files import CHUNK, open_stored, store_stream
from atrium.server.services.model_files import ModelStorage
from atrium.server.services.quotas import QuotaService
from atrium.server.store import datasets as ds_store
from atrium.server.store import run_artifacts as art_store
from atrium.server.store.db import Database
from atrium.server.store.tracking_tables import RunArtifactRow

STORAGE_HOLDER = "storage:runs"


class StorageAccount:
    """The group's storage holding for run artifacts: distinct blobs of its live runs."""

    def __init__(self, quotas: QuotaService) -> None:
        self.quotas = quotas

    def recount(self, s: Session, group_id: int, enforce: bool = False) -> None:
        total = art_store.group_stored_bytes(s, group_id)
        amounts = {"storage_bytes": total}
        self.quotas.set_holding_in(s, group_id, STORAGE_HOLDER, amounts, enforce=enforce)
        # Registered model versions hold the blobs that runs no longer do: a deleted run's
        # model moves to their holding.
        ModelStorage(self.quotas).recount(s, group_id)


def blobs_of(row: RunArtifactRow) -> dict[str, int]:
    """The blobs of one artifact and their sizes: every chunk but the last is CHUNK bytes."""
    if not row.chunks:
        return {row.hash: row.size}
    sizes = {key: CHUNK for key in row.chunks[:-1]}
    sizes[row.chunks[-1]] = row.size - CHUNK * (len(row.chunks) - 1)
    return sizes


def to_artifact(row: RunArtifactRow) -> Artifact:
    return Artifact(path=row.path, size=row.size, hash=row.hash, created_at=row.created_at)


class RunArtifactService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        auditor: Auditor,
        blobs: BlobStore,
        storage: StorageAccount,
    ) -> None:
        self.db = db
        self.clock = clock
        self.auditor = auditor
        self.blobs = blobs
        self.storage = storage

    def upload(
        self, ctx: Context, group: str, run_id: str, path: str, pieces: Iterable[bytes]
    ) -> Artifact:
        check_artifact_path(path)
        with self.db.read() as s:  # refuse before reading a byte of the body
            access.resolve(s, ctx, group, run_id, write=True)
        stored = store_stream(self.blobs, pieces)
        with self.db.write() as s:
            ds_store.lock_for_commit(s)  # blob GC cannot run between the check and the commit
            target = access.resolve(s, ctx, group, run_id, write=True, lock=True)
            if self.blobs.missing(stored.blobs):
                raise Conflict("blob garbage collection removed part of the upload: send it again")
            row = RunArtifactRow(
                run_id=target.run.id,
                path=path,
                size=stored.size,
                hash=stored.hash,
                chunks=stored.chunks,
                created_at=self.clock.now(),
            )
            art_store.put_artifact(s, row)
            blobs: dict[str, int] = {}
            for item in art_store.all_artifacts(s, target.run.id):
                blobs.update(blobs_of(item))
            art_store.replace_blobs(s, target.run.id, blobs)
            self.storage.recount(s, target.group.id, enforce=True)
            details = {"path": path, "size": stored.size}
            self.auditor.record(s, ctx, "run.artifact", "run", run_id, group, details=details)
            return to_artifact(row)

    def list(
        self,
        ctx: Context,
        group: str,
        run_id: str,
        prefix: str | None,
        limit: int,
        cursor: str | None,
    ) -> Page[Artifact]:
        with self.db.read() as s:
            target = access.resolve(s, ctx, group, run_id)
            rows, nxt = art_store.artifacts_page(s, target.run.id, prefix, limit, cursor)
            return Page[Artifact](items=[to_artifact(r) for r in rows], next_cursor=nxt)

    def open(self, ctx: Context, group: str, run_id: str, path: str) -> tuple[int, Iterator[bytes]]:
        with self.db.read() as s:
            target = access.resolve(s, ctx, group, run_id)
            row = art_store.artifact(s, target.run.id, path)
            if row is None:
                raise NotFound(f"artifact {path!r} not found in run {run_id}")
        return open_stored(self.blobs, row.size, row.chunks or [row.hash], f"artifact {path!r}")
