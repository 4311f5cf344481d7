"""Atrium's registry objects in MLflow's wire shapes, and MLflow version sources as Atrium's.

MLflow 3 registers a logged model as ``models:/<model id>``; older clients send ``runs:/`` or
an artifact location. Each names a run and a path in it, which Atrium's registry takes by
reference. Model stages are gone in favour of aliases: every version is in stage ``None``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from atrium.contracts.registry import ModelVersion, RegisteredModel, VersionSource
from atrium.server.api.mlflow import artifacts, model_records, wire
from atrium.server.api.mlflow.errors import invalid
from atrium.server.api.mlflow.runs import check_run_id
from atrium.server.domain.model import Context
from atrium.server.services.hub import Hub

STATUS = {"ready": "READY", "pending": "PENDING_REGISTRATION"}


def source(uri: str, model_id: str | None) -> VersionSource:
    """The run and artifact path a version's ``source`` (or ``model_id``) names."""
    if model_id or uri.startswith("models:/m-"):
        logged = model_id or uri.removeprefix("models:/")
        run_id = model_records.run_of(logged)
        return VersionSource(run_id=run_id, path=model_records.files_prefix(logged))
    if uri.startswith("runs:/"):
        run_id, _, path = uri.removeprefix("runs:/").partition("/")
        return VersionSource(run_id=check_run_id(run_id), path=path.strip("/"))
    if uri.startswith("mlflow-artifacts:/"):
        where = artifacts.locate(uri.removeprefix("mlflow-artifacts:"))
        if where.run_id is not None:
            return VersionSource(run_id=where.run_id, path=where.path)
    raise invalid(
        f"cannot register {uri!r}: use models:/<logged model id>, runs:/<run id>/<path> or "
        "an mlflow-artifacts: location of a run of this group"
    )


def _model_id(found: ModelVersion) -> str | None:
    path = found.source_path or ""
    head, slash, rest = path.partition("/")
    if head == "models" and slash and model_records.MODEL_ID.match(rest):
        return rest
    return None


def version(found: ModelVersion) -> dict[str, Any]:
    model_id = _model_id(found)
    answer = {
        "name": found.model,
        "version": str(found.version),
        "creation_timestamp": wire.millis(found.created_at),
        "last_updated_timestamp": wire.millis(found.updated_at),
        "user_id": found.created_by or "",
        "current_stage": "None",
        "description": found.description or "",
        "source": f"models:/{model_id}" if model_id else found.source,
        "run_id": found.run_id or "",
        "status": STATUS.get(found.status, "READY"),
        "tags": wire.pairs(found.tags),
        "aliases": found.aliases,
    }
    if model_id:
        answer["model_id"] = model_id
    return answer


def model(found: RegisteredModel, latest: ModelVersion | None) -> dict[str, Any]:
    return {
        "name": found.name,
        "creation_timestamp": wire.millis(found.created_at),
        "last_updated_timestamp": wire.millis(found.updated_at),
        "user_id": found.created_by or "",
        "description": found.description or "",
        "latest_versions": [version(latest)] if latest else [],
        "tags": wire.pairs(found.tags),
        "aliases": [{"alias": a, "version": str(v)} for a, v in sorted(found.aliases.items())],
    }


def latest(hub: Hub, ctx: Context, group: str, found: RegisteredModel) -> ModelVersion | None:
    if found.latest_version is None:
        return None
    return hub.registry.versions.get(ctx, group, found.name, found.latest_version)


def all_models(hub: Hub, ctx: Context, group: str) -> Iterator[RegisteredModel]:
    cursor = None
    while True:
        page = hub.registry.models.list(ctx, group, None, 100, cursor)
        yield from page.items
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def all_versions(hub: Hub, ctx: Context, group: str, name: str) -> Iterator[ModelVersion]:
    cursor = None
    while True:
        page = hub.registry.versions.list(ctx, group, name, None, 100, cursor)
        yield from page.items
        if not page.next_cursor:
            return
        cursor = page.next_cursor
