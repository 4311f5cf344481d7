"""Model versions: registered from a run's artifacts or uploaded file by file, then ready.

A version from a run is ready at once. An uploaded version is ``pending`` while its files come
in (each streamed into the blob store, then recorded in one transaction, as run artifacts are)
and becomes ``ready`` when finalized; only ready versions can carry aliases or be ``latest``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy.orm import Session

from atrium.contracts.common import Page
from atrium.contracts.registry import ModelFile, ModelVersion, VersionCreate, VersionUpdate
from atrium.server.backends.blobstore import BlobStore
from atrium.server.domain.clock import Clock
from atrium.server.domain.errors import Conflict, InvalidInput, NotFound
from atrium.server.domain.model import Context
from atrium.server.domain.registry import VersionStatus, parse_ref
from atrium.server.domain.tracking import check_artifact_path
from atrium.server.services import model_access as access
from atrium.server.services import model_files, policy
from atrium.server.services.audit import Auditor
from atrium.server.services.job_files import open_stored, store_stream
from atrium.server.services.model_access import ModelTarget, VersionTarget
from atrium.server.services.model_aliases import remove_alias
from atrium.server.services.models import check_tags
from atrium.server.store import datasets as ds_store
from atrium.server.store import registry as store
from atrium.server.store import runs as run_store
from atrium.server.store.db import Database
from atrium.server.store.registry_tables import ModelFileRow, ModelVersionRow, RegisteredModelRow
from atrium.server.store.tracking_tables import RunRow

KIND = "model_version"


def version_id(target: VersionTarget | ModelTarget, number: int | None = None) -> str:
    """The audit resource id of a version: ``name/3``."""
    if isinstance(target, VersionTarget):
        number = target.version.version
    return f"{target.model.name}/{number}"


MAX_OF_RUN = 1000  # versions registered from one run: a handful in practice


class ModelVersionService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        auditor: Auditor,
        blobs: BlobStore,
        storage: model_files.ModelStorage,
    ) -> None:
        self.db = db
        self.clock = clock
        self.auditor = auditor
        self.blobs = blobs
        self.storage = storage

    # ---- reading ---------------------------------------------------------------------------

    def get(self, ctx: Context, group: str, name: str, version: int) -> ModelVersion:
        """One live version of the model."""
        with self.db.read() as s:
            t = access.resolve_version(s, ctx, group, name, version)
            return access.to_versions(s, group, t.model, [t.version])[0]

    def list(
        self,
        ctx: Context,
        group: str,
        name: str,
        status: str | None = None,
        limit: int = 100,
        cursor: str | None = None,
    ) -> Page[ModelVersion]:
        """The model's live versions, newest first; ``status`` keeps pending or ready ones."""
        with self.db.read() as s:
            t = access.resolve_model(s, ctx, group, name)
            rows, nxt = store.versions_page(s, t.model.id, status, limit, cursor)
            items = access.to_versions(s, group, t.model, rows)
            return Page[ModelVersion](items=items, next_cursor=nxt)

    def of_run(self, ctx: Context, group: str, run_id: str) -> Sequence[ModelVersion]:
        """The live versions registered from the run (up to MAX_OF_RUN), by model name."""
        with self.db.read() as s:
            g = policy.require_group(s, ctx.principal, group, "model.read")
            run = run_store.by_uuid(s, g.id, run_id)
            if run is None:
                raise NotFound(f"run {run_id} not found in {group!r}")
            by_model: dict[int, tuple[RegisteredModelRow, list[ModelVersionRow]]] = {}
            for model, version in store.versions_of_run(s, run.id, MAX_OF_RUN):
                by_model.setdefault(model.id, (model, []))[1].append(version)
            return [
                made
                for model, rows in by_model.values()
                for made in access.to_versions(s, group, model, rows)
            ]

    def resolve(self, ctx: Context, group: str, ref: str) -> ModelVersion:
        """The version a ref names: ``models:/name/3``, ``models:/name@alias`` or
        ``models:/name/latest`` (the newest ready version)."""
        parsed = parse_ref(ref)
        with self.db.read() as s:
            t = access.resolve_model(s, ctx, group, parsed.name)
            number = parsed.version
            if parsed.alias is not None:
                found = store.alias(s, t.model.id, parsed.alias)
                if found is None:
                    raise NotFound(f"model {parsed.name!r} has no alias {parsed.alias!r}")
                number = found.version
            elif parsed.latest:
                number = store.version_summaries(s, [t.model.id]).get(t.model.id, (0, None))[1]
                if number is None:
                    raise NotFound(f"model {parsed.name!r} has no ready version yet")
            assert number is not None
            row = store.version(s, t.model.id, number)
            if row is None:
                raise NotFound(f"{ref} names version {number}, which no longer exists")
            return access.to_versions(s, group, t.model, [row])[0]

    # ---- changing --------------------------------------------------------------------------

    def create(self, ctx: Context, group: str, name: str, body: VersionCreate) -> ModelVersion:
        """A new version numbered after the model's last: from ``body.source`` (a run's
        artifacts, by reference, ready at once) or empty and pending, for uploads."""
        check_tags(body.tags)
        prefix = model_files.normal_prefix(body.source.path) if body.source else ""
        with self.db.write() as s:
            t = access.resolve_model(s, ctx, group, name, lock=True, action="model.create")
            run = self._source_run(s, t, body.source.run_id) if body.source else None
            t.model.last_version += 1
            row = self._new_row(ctx, t, body)
            if run is not None:
                row.run_id, row.source_path = run.id, prefix
                row.metrics = model_files.metrics_snapshot(s, run.id)
            store.add(s, row)
            if run is not None:
                model_files.copy_run_files(s, run, prefix, row.id)
                model_files.describe(s, self.blobs, row)
                row.status = VersionStatus.READY.value
                self.storage.recount(s, t.group.id, enforce=True)
            details = {"run_id": run.uuid if run else None, "path": prefix if run else None}
            vid = version_id(t, row.version)
            self.auditor.record(s, ctx, "model_version.create", KIND, vid, group, details=details)
            return access.to_versions(s, group, t.model, [row])[0]

    @staticmethod
    def _source_run(s: Session, t: ModelTarget, run_id: str) -> RunRow:
        # Blob GC cannot run, nor the run be deleted, before the version holds its blobs.
        ds_store.lock_for_commit(s)
        run = run_store.by_uuid(s, t.group.id, run_id, lock=True)
        if run is None:
            raise NotFound(f"run {run_id} not found in {t.group.name!r}")
        return run

    def _new_row(self, ctx: Context, t: ModelTarget, body: VersionCreate) -> ModelVersionRow:
        now = self.clock.now()
        return ModelVersionRow(
            model_id=t.model.id,
            version=t.model.last_version,
            status=VersionStatus.PENDING.value,
            description=body.description,
            tags=body.tags,
            flavors=body.flavors or [],
            signature=body.signature,
            input_example_path=body.input_example_path,
            metrics={},
            created_by=ctx.principal.username,
            created_by_id=ctx.principal.user_id,
            created_at=now,
            updated_at=now,
        )

    def update(
        self, ctx: Context, group: str, name: str, version: int, body: VersionUpdate
    ) -> ModelVersion:
        """Change the version's description (None clears it)."""
        changes = body.model_dump(exclude_unset=True)
        with self.db.write() as s:
            t = access.resolve_version(s, ctx, group, name, version, write=True, lock=True)
            if "description" in changes:
                t.version.description = changes["description"]
            t.version.updated_at = self.clock.now()
            details = {"fields": sorted(changes)}
            self.auditor.record(
                s, ctx, "model_version.update", KIND, version_id(t), group, details=details
            )
            return access.to_versions(s, group, t.model, [t.version])[0]

    def delete(self, ctx: Context, group: str, name: str, version: int) -> None:
        """Soft delete; aliases on it are removed (each move recorded in the history). The
        next blob GC frees its blobs unless a live run or version shares them."""
        with self.db.write() as s:
            t = access.resolve_version(s, ctx, group, name, version, write=True, lock=True)
            now = self.clock.now()
            t.version.deleted_at = now
            removed = [a.alias for a in store.aliases_of_version(s, t.model.id, version)]
            for alias in removed:
                remove_alias(s, ctx, self.clock, self.auditor, t, alias)
            self.storage.recount(s, t.group.id)
            details = {"aliases_removed": removed}
            self.auditor.record(
                s, ctx, "model_version.delete", KIND, version_id(t), group, details=details
            )

    def set_tag(
        self, ctx: Context, group: str, name: str, version: int, key: str, value: str
    ) -> None:
        """Set (or overwrite) one tag of the version."""
        check_tags({key: value})
        with self.db.write() as s:
            t = access.resolve_version(s, ctx, group, name, version, write=True, lock=True)
            t.version.tags = {**t.version.tags, key: value}
            t.version.updated_at = self.clock.now()
            self.auditor.record(
                s, ctx, "model_version.tag", KIND, version_id(t), group, details={"tag": key}
            )

    def delete_tag(self, ctx: Context, group: str, name: str, version: int, key: str) -> None:
        """Remove one tag of the version; 404 when it has none of that key."""
        with self.db.write() as s:
            t = access.resolve_version(s, ctx, group, name, version, write=True, lock=True)
            if key not in t.version.tags:
                raise NotFound(f"version {version} of {name!r} has no tag {key!r}")
            t.version.tags = {k: v for k, v in t.version.tags.items() if k != key}
            t.version.updated_at = self.clock.now()
            self.auditor.record(
                s, ctx, "model_version.untag", KIND, version_id(t), group, details={"tag": key}
            )

    # ---- files -----------------------------------------------------------------------------

    def files(
        self,
        ctx: Context,
        group: str,
        name: str,
        version: int,
        limit: int = 1000,
        cursor: str | None = None,
    ) -> Page[ModelFile]:
        """The version's files in path order."""
        with self.db.read() as s:
            t = access.resolve_version(s, ctx, group, name, version)
            rows, nxt = store.files_page(s, t.version.id, limit, cursor)
            return Page[ModelFile](items=[access.to_file(r) for r in rows], next_cursor=nxt)

    def open_file(
        self, ctx: Context, group: str, name: str, version: int, path: str
    ) -> tuple[int, Iterator[bytes]]:
        """(size, byte stream) of one file of the version."""
        with self.db.read() as s:
            t = access.resolve_version(s, ctx, group, name, version)
            row = store.file(s, t.version.id, path)
            if row is None:
                raise NotFound(f"version {version} of {name!r} has no file {path[:200]!r}")
        return open_stored(self.blobs, row.size, row.chunks or [row.hash], f"file {path!r}")

    def upload_file(
        self, ctx: Context, group: str, name: str, version: int, path: str, pieces: Iterable[bytes]
    ) -> ModelFile:
        """Store ``pieces`` as the file at ``path`` of a pending version (replacing one there).
        Counted against the group's storage quota: over it, nothing is recorded (409)."""
        check_artifact_path(path)
        with self.db.read() as s:  # refuse before reading a byte of the body
            self._pending(access.resolve_version(s, ctx, group, name, version, write=True))
        stored = store_stream(self.blobs, pieces)
        with self.db.write() as s:
            ds_store.lock_for_commit(s)  # blob GC cannot run between the check and the commit
            t = access.resolve_version(s, ctx, group, name, version, write=True, lock=True)
            self._pending(t)
            if self.blobs.missing(stored.blobs):
                raise Conflict("blob garbage collection removed part of the upload: send it again")
            row = ModelFileRow(
                version_id=t.version.id,
                path=path,
                size=stored.size,
                hash=stored.hash,
                chunks=stored.chunks,
            )
            store.put_file(s, row)
            model_files.record_blobs(s, t.version.id)
            self.storage.recount(s, t.group.id, enforce=True)
            details = {"path": path, "size": stored.size}
            self.auditor.record(
                s, ctx, "model_version.upload", KIND, version_id(t), group, details=details
            )
            return access.to_file(row)

    def finalize(self, ctx: Context, group: str, name: str, version: int) -> ModelVersion:
        """Mark a pending version ready, reading its MLmodel file if it has one; it needs at
        least one file."""
        with self.db.write() as s:
            t = access.resolve_version(s, ctx, group, name, version, write=True, lock=True)
            self._pending(t)
            if not store.all_files(s, t.version.id):
                raise InvalidInput(f"version {version} of {name!r} has no files: upload some")
            model_files.describe(s, self.blobs, t.version)
            t.version.status = VersionStatus.READY.value
            t.version.updated_at = self.clock.now()
            self.auditor.record(s, ctx, "model_version.finalize", KIND, version_id(t), group)
            return access.to_versions(s, group, t.model, [t.version])[0]

    @staticmethod
    def _pending(t: VersionTarget) -> None:
        if t.version.status != VersionStatus.PENDING.value:
            raise Conflict(
                f"version {t.version.version} of {t.model.name!r} is {t.version.status}: "
                "files can be added only while it is pending"
            )
