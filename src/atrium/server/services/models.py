"""Registered models: named, group-owned containers of versions."""

from __future__ import annotations

from atrium.contracts.common import Page
from atrium.contracts.registry import ModelCreate, ModelUpdate, RegisteredModel
from atrium.server.domain.clock import Clock
from atrium.server.domain.errors import Conflict, NotFound
from atrium.server.domain.model import Context
from atrium.server.domain.registry import check_model_name
from atrium.server.domain.tracking import MAX_TAG_VALUE, check_key, check_value
from atrium.server.services import model_access as access
from atrium.server.services import policy
from atrium.server.services.audit import Auditor
from atrium.server.services.model_files import ModelStorage
from atrium.server.store import registry as store
from atrium.server.store.db import Database
from atrium.server.store.registry_tables import RegisteredModelRow

KIND = "registered_model"


def check_tags(tags: dict[str, str]) -> dict[str, str]:
    for key, value in tags.items():
        check_key("tag", key)
        check_value("tag", key, value, MAX_TAG_VALUE)
    return tags


class ModelService:
    def __init__(self, db: Database, clock: Clock, auditor: Auditor, storage: ModelStorage) -> None:
        self.db = db
        self.clock = clock
        self.auditor = auditor
        self.storage = storage

    def list(
        self,
        ctx: Context,
        group: str,
        filter: str | None = None,
        limit: int = 100,
        cursor: str | None = None,
    ) -> Page[RegisteredModel]:
        """The group's live models, oldest first; ``filter`` keeps names containing it
        (case-insensitive)."""
        with self.db.read() as s:
            row = policy.require_group(s, ctx.principal, group, "model.read")
            rows, nxt = store.models_page(s, row.id, filter, limit, cursor)
            return Page[RegisteredModel](items=access.to_models(s, group, rows), next_cursor=nxt)

    def get(self, ctx: Context, group: str, name: str) -> RegisteredModel:
        """One model with its aliases and its latest ready version number."""
        with self.db.read() as s:
            found = access.resolve_model(s, ctx, group, name)
            return access.to_models(s, group, [found.model])[0]

    def create(self, ctx: Context, group: str, body: ModelCreate) -> RegisteredModel:
        """A new, empty model; 409 when a live model of the group has the name."""
        check_model_name(body.name)
        check_tags(body.tags)
        with self.db.write() as s:
            row = policy.require_group(s, ctx.principal, group, "model.create")
            if store.model_by_name(s, row.id, body.name) is not None:
                raise Conflict(f"model {body.name!r} already exists in {group!r}")
            now = self.clock.now()
            model = RegisteredModelRow(
                group_id=row.id,
                name=body.name,
                description=body.description,
                tags=body.tags,
                last_version=0,
                created_by=ctx.principal.username,
                created_by_id=ctx.principal.user_id,
                created_at=now,
                updated_at=now,
            )
            store.add(s, model)
            self.auditor.record(s, ctx, "model.create", KIND, body.name, group)
            return access.to_models(s, group, [model])[0]

    def update(self, ctx: Context, group: str, name: str, body: ModelUpdate) -> RegisteredModel:
        """Rename the model or change its description (set ``description`` to None to clear)."""
        changes = body.model_dump(exclude_unset=True)
        new_name = changes.get("name")
        if new_name is not None:
            check_model_name(new_name)
        with self.db.write() as s:
            found = access.resolve_model(s, ctx, group, name, write=True, lock=True)
            model = found.model
            if new_name and new_name != name and store.model_by_name(s, found.group.id, new_name):
                raise Conflict(f"model {new_name!r} already exists in {group!r}")
            if new_name:
                model.name = new_name
            if "description" in changes:
                model.description = changes["description"]
            model.updated_at = self.clock.now()
            details = {k: v for k, v in changes.items() if k != "description"}
            if "description" in changes:
                details["description"] = "changed"
            self.auditor.record(s, ctx, "model.update", KIND, name, group, details=details)
            return access.to_models(s, group, [model])[0]

    def delete(self, ctx: Context, group: str, name: str) -> None:
        """Soft delete, versions included: the next blob GC frees their files' blobs (unless a
        live run or another version shares them). The name can be used again."""
        with self.db.write() as s:
            found = access.resolve_model(s, ctx, group, name, write=True, lock=True)
            now = self.clock.now()
            found.model.deleted_at = now
            versions = store.delete_versions(s, found.model.id, now)
            self.storage.recount(s, found.group.id)
            details = {"versions": versions}
            self.auditor.record(s, ctx, "model.delete", KIND, name, group, details=details)

    def set_tag(self, ctx: Context, group: str, name: str, key: str, value: str) -> None:
        """Set (or overwrite) one tag of the model."""
        check_tags({key: value})
        with self.db.write() as s:
            found = access.resolve_model(s, ctx, group, name, write=True, lock=True)
            found.model.tags = {**found.model.tags, key: value}
            found.model.updated_at = self.clock.now()
            self.auditor.record(s, ctx, "model.tag", KIND, name, group, details={"tag": key})

    def delete_tag(self, ctx: Context, group: str, name: str, key: str) -> None:
        """Remove one tag of the model; 404 when it has none of that key."""
        with self.db.write() as s:
            found = access.resolve_model(s, ctx, group, name, write=True, lock=True)
            if key not in found.model.tags:
                raise NotFound(f"model {name!r} has no tag {key!r}")
            found.model.tags = {k: v for k, v in found.model.tags.items() if k != key}
            found.model.updated_at = self.clock.now()
            self.auditor.record(s, ctx, "model.untag", KIND, name, group, details={"tag": key})
