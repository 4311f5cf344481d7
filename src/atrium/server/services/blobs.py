"""Moving blobs in and out of a dataset, and garbage collection of unreferenced blobs."""

from __future__ import annotations

import contextlib
import struct
import time
from collections.abc import Iterable, Iterator, Sequence

from atrium.contracts.datasets import GcReport
from atrium.server.backends.blobstore import BlobCorrupt, BlobNotFound, BlobStore, BlobTooLarge
from atrium.server.domain.clock import Clock
from atrium.server.domain.errors import DomainError, InvalidInput, NotFound
from atrium.server.domain.model import Context
from atrium.server.services import dataset_access as access
from atrium.server.services import policy
from atrium.server.services.audit import Auditor
from atrium.server.store import datasets as ds_store
from atrium.server.store import jobs as job_store
from atrium.server.store import registry as registry_store
from atrium.server.store import run_artifacts as run_artifact_store
from atrium.server.store import run_metrics as metric_store
from atrium.server.store.db import Database

RECORD = struct.Struct(">32sQ")
PACK_MEDIA_TYPE = "application/x-atrium-pack"


class HashMismatch(DomainError):
    code = "hash_mismatch"
    status = 422


def parse_pack(body: bytes) -> Iterator[tuple[str, memoryview]]:
    """Records of (32-byte hash, 8-byte size, bytes); a truncated record is an error."""
    view, offset = memoryview(body), 0
    while offset < len(view):
        if offset + RECORD.size > len(view):
            raise InvalidInput("pack is truncated inside a record header")
        raw, size = RECORD.unpack_from(view, offset)
        offset += RECORD.size
        if offset + size > len(view):
            raise InvalidInput(f"pack is truncated inside blob {raw.hex()}")
        yield raw.hex(), view[offset : offset + size]
        offset += size


def pack_record(key: str, data: bytes) -> bytes:
    return RECORD.pack(bytes.fromhex(key), len(data)) + data


def _pack_stream(blobs: BlobStore, keys: Sequence[str], piece: int = 2**20) -> Iterator[bytes]:
    """The pack of ``keys`` in ~1 MiB pieces: small records are joined (one thread hop and one
    send per piece, not per blob); a large blob is sent as it was read, without a copy."""
    pending: list[bytes] = []
    size = 0
    for key, data in blobs.get_many(keys):
        pending.append(RECORD.pack(bytes.fromhex(key), len(data)))
        if len(data) >= piece:
            yield b"".join(pending)
            yield data
            pending, size = [], 0
            continue
        pending.append(data)
        size += RECORD.size + len(data)
        if size >= piece:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)


class BlobService:
    def __init__(self, db: Database, clock: Clock, auditor: Auditor, blobs: BlobStore) -> None:
        self.db = db
        self.clock = clock
        self.auditor = auditor
        self.blobs = blobs

    def missing(self, ctx: Context, group: str, name: str, hashes: Sequence[str]) -> list[str]:
        with self.db.read() as s:
            access.resolve(s, ctx, group, name, "write")
        return sorted(self.blobs.missing(hashes))

    def put(
        self, ctx: Context, group: str, name: str, key: str, chunks: Iterable[bytes]
    ) -> tuple[int, bool]:
        """Store one blob, verifying its hash; returns (size, created)."""
        with self.db.read() as s:
            access.resolve(s, ctx, group, name, "write")
        existed = self.blobs.has(key)
        try:
            size = self.blobs.put(key, chunks)
        except BlobCorrupt as exc:
            raise HashMismatch(f"the bytes sent hash to {exc.actual}, not {key}") from exc
        return size, not existed

    def put_pack(self, ctx: Context, group: str, name: str, body: bytes) -> tuple[int, int]:
        with self.db.read() as s:
            access.resolve(s, ctx, group, name, "write")
        records = list(parse_pack(body))  # a truncated pack is refused before anything is stored
        try:
            bad = self.blobs.put_many(records)
        except BlobTooLarge as exc:
            raise InvalidInput(str(exc)) from exc
        if bad:
            kept = len(records) - len(bad)
            raise HashMismatch(
                f"{len(bad)} blobs in the pack do not match their hash (e.g. {bad[0].key} hashes "
                f"to {bad[0].actual}); the {kept} valid ones were kept"
            )
        return len(records), sum(len(data) for _, data in records)

    def open(self, ctx: Context, group: str, name: str, key: str) -> tuple[int, Iterator[bytes]]:
        """Stream a blob that one of the dataset's live versions references."""
        with self.db.read() as s:
            target = access.resolve(s, ctx, group, name, "read")
            if not ds_store.dataset_has_blob(s, target.dataset.id, key):
                raise NotFound(f"blob {key} is not part of {target.ref}")
        size = self.blobs.size(key)
        if size is None:
            raise NotFound(f"blob {key} is missing from the store: run `atrium datasets verify`")
        return size, self.blobs.open(key)

    def unpack(self, ctx: Context, group: str, name: str, hashes: Sequence[str]) -> Iterator[bytes]:
        with self.db.read() as s:
            target = access.resolve(s, ctx, group, name, "read")
            allowed = ds_store.referenced_by(s, target.dataset.id, hashes)
        outside = [h for h in hashes if h not in allowed]
        if outside:
            raise NotFound(f"{len(outside)} blobs are not part of {target.ref}, e.g. {outside[0]}")
        absent = self.blobs.missing(hashes)  # checked up front: the stream must not die half-way
        if absent:
            raise NotFound(f"blob {min(absent)} is missing from the store")
        return _pack_stream(self.blobs, hashes)

    def gc(self, ctx: Context, dry_run: bool, grace_seconds: int) -> GcReport:
        """Delete blobs no live version references and older than the grace period.

        Runs inside a write transaction holding the GC lock, which manifest commits take too:
        a commit either sees its blobs before GC starts or after GC is done. Young unreferenced
        blobs belong to pushes still uploading and are kept. The metric points of deleted runs
        go too: unlike blobs they are rows, but they are the bulk of a deleted run.
        """
        policy.require_hub(ctx.principal, "blob.gc")
        cutoff = time.time() - grace_seconds
        count = freed = recent = 0
        with self.db.write() as s:
            ds_store.lock_for_gc(s)
            # Job logs and artifacts live in the same store.
            referenced = ds_store.referenced_hashes(s) | job_store.referenced_hashes(s)
            referenced |= run_artifact_store.referenced_hashes(s)
            referenced |= registry_store.referenced_hashes(s)
            for key in self.blobs.iter_keys():
                if key in referenced:
                    continue
                mtime = self.blobs.stat_mtime(key)
                if mtime is None or mtime > cutoff:
                    recent += 1
                    continue
                size = self.blobs.size(key) or 0
                if not dry_run:
                    self._delete(key)
                count, freed = count + 1, freed + size
            points = metric_store.purge_deleted(s, dry_run)
            details = {"dry_run": dry_run, "blobs": count, "bytes": freed, "points": points}
            self.auditor.record(s, ctx, "blob.gc", "blobstore", None, details=details)
        return GcReport(
            dry_run=dry_run, blobs=count, bytes=freed, kept_recent=recent, metric_points=points
        )

    def _delete(self, key: str) -> None:
        with contextlib.suppress(BlobNotFound):
            self.blobs.delete(key)
