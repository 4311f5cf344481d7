"""Dataset versions: plan, commit (one transaction), list, files, diff, verify, materialise."""

from __future__ import annotations

import builtins
import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import blake3
from sqlalchemy.orm import Session

from atrium.contracts.common import Page
from atrium.contracts.datasets import (
    Damage,
    DiffEntry,
    DiffPage,
    DiffSummary,
    FileEntry,
    Version,
    VersionCreate,
    VersionSummary,
)
from atrium.server.backends.blobstore import BlobCorrupt, BlobNotFound, BlobStore
from atrium.server.domain import manifest
from atrium.server.domain.clock import Clock
from atrium.server.domain.errors import Conflict, InvalidInput, NotFound
from atrium.server.domain.model import Context
from atrium.server.services import dataset_access as access
from atrium.server.services.audit import Auditor
from atrium.server.services.dataset_access import Target
from atrium.server.services.dataset_manifests import Manifest, ManifestReader
from atrium.server.services.quotas import QuotaService
from atrium.server.store import dataset_diff as diffs
from atrium.server.store import dataset_manifests as manifests
from atrium.server.store import datasets as ds_store
from atrium.server.store.db import Database
from atrium.server.store.tables import DatasetVersionRow, VersionFileRow

STORAGE_HOLDER = "storage:datasets"


def to_entry(row: VersionFileRow) -> FileEntry:
    return FileEntry(path=row.path, size=row.size, hash=row.hash, mode=row.mode, chunks=row.chunks)


def _side(path: str, stored: diffs.Side) -> FileEntry | None:
    if stored is None:
        return None
    size, blob, mode, chunks = stored
    return FileEntry(path=path, size=size, hash=blob, mode=mode, chunks=chunks)


def _diff_entry(change: diffs.Change) -> DiffEntry:
    kind = "added" if change.old is None else "removed" if change.new is None else "modified"
    return DiffEntry(
        path=change.path,
        change=kind,
        old=_side(change.path, change.old),
        new=_side(change.path, change.new),
    )


def to_version(row: DatasetVersionRow, tags: dict[str, int]) -> Version:
    return Version(
        number=row.number,
        name=f"v{row.number}",
        message=row.message,
        author=row.author,
        created_at=row.created_at,
        parent=f"v{row.parent_number}" if row.parent_number else None,
        tags=sorted(t for t, n in tags.items() if n == row.number),
        summary=VersionSummary(
            files=row.files,
            bytes=row.bytes,
            added=row.added,
            removed=row.removed,
            changed=row.changed,
        ),
    )


class VersionService:
    def __init__(
        self, db: Database, clock: Clock, auditor: Auditor, blobs: BlobStore, quotas: QuotaService
    ) -> None:
        self.db = db
        self.clock = clock
        self.auditor = auditor
        self.blobs = blobs
        self.quotas = quotas
        self.manifests = ManifestReader(blobs)

    def plan(self, ctx: Context, group: str, name: str, body: VersionCreate) -> dict[str, Any]:
        """What a push must upload, and whether the group's storage quota allows it."""
        pushed = self.manifests.read(body)
        blobs = pushed.blobs
        with self.db.read() as s:
            target = access.resolve(s, ctx, group, name, "write")
            latest = ds_store.latest(s, target.dataset.id)
            # The latest version's blobs were checked when it was committed, and a live
            # version's blobs are never collected: only the others can be missing. The same
            # manifest as the latest version's has no other blob and no new byte.
            unchanged = latest is not None and latest.manifest_digest == pushed.digest
            paid = manifests.blobs(s, latest.id) if latest and not unchanged else {}
            unknown = {} if unchanged else {h: n for h, n in blobs.items() if h not in paid}
            missing = self.blobs.missing(unknown) if unknown else set()
            new_bytes = self._new_bytes(s, target, unknown, {})
            used = ds_store.group_stored_bytes(s, target.owner.id)
        limit = self.quotas.storage_limit(target.owner.id)
        if limit is not None and used + new_bytes > limit and not unchanged:
            self.quotas.refuse_storage(used, new_bytes, limit)
        return {
            "missing": sorted(missing),
            "upload_bytes": sum(blobs[h] for h in missing),
            "new_stored_bytes": new_bytes,
            "storage_used": used,
            "storage_limit": limit,
        }

    def commit(self, ctx: Context, group: str, name: str, body: VersionCreate) -> Version:
        pushed = self.manifests.read(body)
        with self.db.write() as s:
            target = access.resolve(s, ctx, group, name, "write")
            ds_store.lock_for_commit(s)
            ds_store.lock_dataset(s, target.dataset.id)
            parent = self._check_parent(s, target, body.parent)
            if parent is not None and parent.manifest_digest == pushed.digest:
                row = self._commit_unchanged(s, ctx, target, body.message, parent)
            else:
                row = self._commit_changes(s, ctx, target, body.message, parent, pushed)
            details = {"version": row.number, "files": row.files, "bytes": row.bytes}
            self.auditor.record(
                s, ctx, "dataset.push", "dataset", target.ref, group, details=details
            )
            return to_version(row, {})

    def _commit_changes(
        self,
        s: Session,
        ctx: Context,
        target: Target,
        message: str,
        parent: DatasetVersionRow | None,
        pushed: Manifest,
    ) -> DatasetVersionRow:
        files, blobs = pushed.files, pushed.blobs
        old_files = manifests.files(s, parent.id) if parent else {}
        old_blobs = manifests.blob_sizes(old_files)
        # Checked inside the transaction that GC also locks: a blob cannot vanish between
        # this check and the commit. The parent's blobs were checked when it was committed,
        # and a live version's blobs are never collected.
        self._require_blobs({h: n for h, n in blobs.items() if h not in old_blobs})
        summary = manifest.summarize(
            {p: (h, size) for p, (size, h, _, _) in files.items()},
            {p: (h, size) for p, (size, h, _, _) in old_files.items()} if parent else None,
        )
        row = self._insert_version(s, ctx, target, message, parent, summary, pushed.digest)
        parent_id = parent.id if parent else None
        manifests.write_files(s, row.id, parent_id, files, old_files)
        self._account_storage(s, target, blobs, old_blobs)
        manifests.write_blobs(s, row.id, parent_id, blobs, old_blobs)
        return row

    def _commit_unchanged(
        self, s: Session, ctx: Context, target: Target, message: str, parent: DatasetVersionRow
    ) -> DatasetVersionRow:
        """A new version with its parent's manifest: the rows are copied inside the database;
        the blobs are the parent's (checked at its commit), so the group stores no new byte
        and its storage holding stands."""
        summary = manifest.Summary(parent.files, parent.bytes, 0, 0, 0)
        digest = parent.manifest_digest
        row = self._insert_version(s, ctx, target, message, parent, summary, digest)
        manifests.copy_version(s, row.id, parent.id)
        return row

    def _require_blobs(self, blobs: dict[str, int]) -> None:
        missing = self.blobs.missing(blobs)
        if missing:
            shown = sorted(missing)[:5]
            raise InvalidInput(
                f"the manifest names {len(missing)} blobs that were never uploaded "
                f"(e.g. {', '.join(shown)}): upload them, then commit again",
                {"missing": shown, "count": len(missing)},
            )

    @staticmethod
    def _check_parent(s: Session, target: Target, parent: str | None) -> DatasetVersionRow | None:
        latest = ds_store.latest(s, target.dataset.id)
        if parent is not None:
            expected = access.version(s, target, parent) if parent != "none" else None
            if (latest.id if latest else None) != (expected.id if expected else None):
                now = f"v{latest.number}" if latest else "no version"
                raise Conflict(
                    f"{target.ref} moved on: its latest is {now}, not {parent}; "
                    "pull, merge your changes and push again",
                    {"latest": now},
                )
        return latest

    def _insert_version(
        self,
        s: Session,
        ctx: Context,
        target: Target,
        message: str,
        parent: DatasetVersionRow | None,
        summary: manifest.Summary,
        digest: str | None,
    ) -> DatasetVersionRow:
        row = DatasetVersionRow(
            dataset_id=target.dataset.id,
            number=ds_store.next_number(s, target.dataset.id),
            message=message,
            author=ctx.principal.username,
            parent_number=parent.number if parent else None,
            created_at=self.clock.now(),
            files=summary.files,
            bytes=summary.bytes,
            added=summary.added,
            removed=summary.removed,
            changed=summary.changed,
            manifest_digest=digest,
        )
        return ds_store.add(s, row)  # type: ignore[no-any-return]

    def _new_bytes(
        self, s: Session, target: Target, blobs: dict[str, int], paid: Mapping[str, int]
    ) -> int:
        """Bytes of ``blobs`` the group does not store yet (``paid``: known to be stored)."""
        unknown = [h for h in blobs if h not in paid]
        stored = ds_store.group_blob_hashes(s, target.owner.id, unknown)
        return sum(blobs[h] for h in unknown if h not in stored)

    def _account_storage(
        self, s: Session, target: Target, blobs: dict[str, int], paid: Mapping[str, int]
    ) -> None:
        """Hold the group's unique stored bytes in one reservation, checked against its quota."""
        total = ds_store.group_stored_bytes(s, target.owner.id)
        total += self._new_bytes(s, target, blobs, paid)
        self.quotas.set_holding_in(s, target.owner.id, STORAGE_HOLDER, {"storage_bytes": total})

    # ---- reading ------------------------------------------------------------------------

    def list(
        self, ctx: Context, group: str, name: str, limit: int, cursor: str | None
    ) -> Page[Version]:
        with self.db.read() as s:
            target = access.resolve(s, ctx, group, name, "read")
            rows, nxt = ds_store.versions_page(s, target.dataset.id, limit, cursor)
            tags = ds_store.tags(s, target.dataset.id)
            return Page[Version](items=[to_version(r, tags) for r in rows], next_cursor=nxt)

    def get(self, ctx: Context, group: str, name: str, ref: str) -> Version:
        with self.db.read() as s:
            target = access.resolve(s, ctx, group, name, "read")
            row = access.version(s, target, ref)
            return to_version(row, ds_store.tags(s, target.dataset.id))

    def files(
        self,
        ctx: Context,
        group: str,
        name: str,
        ref: str,
        prefix: str | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[builtins.list[dict[str, Any]], str | None]:
        """One page of a version's files as JSON-ready dicts in ``FileEntry``'s field order
        (a pull lists 20,000 at once: models would cost more than the query), and the next
        page's cursor."""
        with self.db.read() as s:
            target = access.resolve(s, ctx, group, name, "read")
            row = access.version(s, target, ref)
            rows, nxt = manifests.files_page(s, row.id, prefix, limit, cursor)
        items = [
            {"path": p, "size": n, "hash": h, "mode": m, "chunks": manifests.chunks(c)}
            for p, n, h, m, c in rows
        ]
        return items, nxt

    def file(self, ctx: Context, group: str, name: str, ref: str, path: str) -> FileEntry:
        with self.db.read() as s:
            target = access.resolve(s, ctx, group, name, "read")
            row = ds_store.file(s, access.version(s, target, ref).id, path)
            if row is None:
                raise NotFound(f"{path!r} is not in {target.ref}@{ref}")
            return to_entry(row)

    def diff(
        self,
        ctx: Context,
        group: str,
        name: str,
        refs: tuple[str, str],
        limit: int,
        cursor: str | None,
    ) -> DiffPage:
        """One page of what changed from ``refs[0]`` to ``refs[1]``, with the whole diff's
        totals on every page (so a caller that only counts need not read on)."""
        with self.db.read() as s:
            target = access.resolve(s, ctx, group, name, "read")
            old = access.version(s, target, refs[0])
            new = access.version(s, target, refs[1])
            changes, nxt = diffs.changes_page(s, old.id, new.id, limit, cursor)
            totals = diffs.totals(s, old.id, new.id)
        return DiffPage(
            **{"from": f"v{old.number}"},
            to=f"v{new.number}",
            summary=DiffSummary(**dataclasses.asdict(totals)),
            items=[_diff_entry(c) for c in changes],
            next_cursor=nxt,
        )

    # ---- deleting, verifying, materialising ---------------------------------------------

    def delete(self, ctx: Context, group: str, name: str, ref: str) -> None:
        with self.db.write() as s:
            target = access.resolve(s, ctx, group, name, "admin")
            row = access.version(s, target, ref)
            row.deleted_at = self.clock.now()
            ds_store.delete_tags_of(s, target.dataset.id, row.number)
            total = ds_store.group_stored_bytes(s, target.owner.id)
            self.quotas.set_holding_in(
                s, target.owner.id, STORAGE_HOLDER, {"storage_bytes": total}, enforce=False
            )
            self.auditor.record(
                s,
                ctx,
                "dataset.version_delete",
                "dataset",
                target.ref,
                group,
                details={"version": row.number},
            )

    def verify(
        self, ctx: Context, group: str, name: str, ref: str
    ) -> tuple[int, int, builtins.list[Damage]]:
        """Re-hash every stored blob of a version; report files whose bytes are missing or wrong."""
        with self.db.read() as s:
            target = access.resolve(s, ctx, group, name, "read")
            files = list(ds_store.manifest(s, access.version(s, target, ref).id).values())
        damaged: builtins.list[Damage] = []
        checked = total = 0
        for f in files:
            for blob in f.chunks or [f.hash]:
                problem = self._problem(blob)
                checked, total = checked + 1, total + f.size
                if problem:
                    damaged.append(Damage(path=f.path, hash=blob, problem=problem))
        return checked, total, damaged

    def materialize(self, ctx: Context, group: str, name: str, ref: str, dest: Path) -> Version:
        """Write a version into ``dest`` read-only (jobs mount their inputs with this)."""
        with self.db.read() as s:
            target = access.resolve(s, ctx, group, name, "read")
            row = access.version(s, target, ref)
            files = list(ds_store.manifest(s, row.id).values())
            version = to_version(row, ds_store.tags(s, target.dataset.id))
        root = dest.resolve()
        for f in files:
            path = (root / f.path).resolve()
            if not path.is_relative_to(root):
                raise InvalidInput(f"unsafe path in manifest: {f.path!r}")
            path.parent.mkdir(parents=True, exist_ok=True)
            if f.chunks or f.mode & 0o111:
                self._copy(f.chunks or [f.hash], path, 0o555 if f.mode & 0o111 else 0o444)
            else:
                # The local store hard-links a large blob and copies a packed one: read-only.
                self.blobs.materialize(f.hash, path)
        return version

    def _copy(self, blobs: builtins.list[str], path: Path, mode: int) -> None:
        with open(path, "wb") as out:
            for blob in blobs:
                for piece in self.blobs.open(blob):
                    out.write(piece)
        os.chmod(path, mode)

    def _problem(self, blob: str) -> str | None:
        hasher = blake3.blake3(max_threads=blake3.blake3.AUTO)
        try:
            for piece in self.blobs.open(blob):
                hasher.update(piece)
        except BlobNotFound:
            return "missing from the blob store"
        except BlobCorrupt as exc:
            # The store checks what it streams, and moves a damaged blob aside as it says so.
            return f"bytes hash to {exc.actual}"
        actual = hasher.hexdigest()
        return None if actual == blob else f"bytes hash to {actual}"
