"""MLflow model versions onto Atrium's registry versions: made from a run's artifacts by
reference (the files of a logged model), downloaded through the proxied artifact API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from atrium.contracts.registry import ModelVersion, VersionCreate, VersionUpdate
from atrium.server.api.deps import Ctx, Services
from atrium.server.api.mlflow import artifacts, filters
from atrium.server.api.mlflow import registry_wire as rw
from atrium.server.api.mlflow.errors import MlflowRoute, reply
from atrium.server.api.mlflow.registered_models import NameQuery, version_number
from atrium.server.api.mlflow.wire import Body, KeyValue

router = APIRouter(route_class=MlflowRoute)
PREFIX = "/api/2.0/mlflow/model-versions"
VersionQuery = Annotated[str, Query(max_length=12)]


class CreateBody(Body):
    name: str
    source: str = ""
    run_id: str | None = None
    tags: list[KeyValue] = []
    description: str | None = None
    model_id: str | None = None


@router.post(f"{PREFIX}/create", name="mlflow.model_versions.create")
def create(group: str, body: CreateBody, ctx: Ctx, hub: Services) -> Response:
    """Ready at once: the files are the run's artifacts, taken by reference."""
    wanted = VersionCreate(
        source=rw.source(body.source, body.model_id),
        description=body.description or None,
        tags={t.key: t.value for t in body.tags},
    )
    made = hub.registry.versions.create(ctx, group, body.name, wanted)
    return reply({"model_version": rw.version(made)})


@router.get(f"{PREFIX}/get", name="mlflow.model_versions.get")
def get(group: str, name: NameQuery, version: VersionQuery, ctx: Ctx, hub: Services) -> Response:
    found = hub.registry.versions.get(ctx, group, name, version_number(version))
    return reply({"model_version": rw.version(found)})


@router.get(f"{PREFIX}/get-download-uri", name="mlflow.model_versions.download_uri")
def download_uri(
    group: str, name: NameQuery, version: VersionQuery, ctx: Ctx, hub: Services
) -> Response:
    found = hub.registry.versions.get(ctx, group, name, version_number(version))
    return reply({"artifact_uri": artifacts.version_location(found.model, found.version)})


class UpdateBody(Body):
    name: str
    version: str | int
    description: str | None = None


@router.patch(f"{PREFIX}/update", name="mlflow.model_versions.update")
def update(group: str, body: UpdateBody, ctx: Ctx, hub: Services) -> Response:
    changes = VersionUpdate(description=body.description or None)
    number = version_number(body.version)
    found = hub.registry.versions.update(ctx, group, body.name, number, changes)
    return reply({"model_version": rw.version(found)})


class VersionBody(Body):
    name: str
    version: str | int


@router.delete(f"{PREFIX}/delete", name="mlflow.model_versions.delete")
def delete(group: str, body: VersionBody, ctx: Ctx, hub: Services) -> Response:
    hub.registry.versions.delete(ctx, group, body.name, version_number(body.version))
    return reply({})


class TagBody(VersionBody):
    key: str
    value: str = ""


@router.post(f"{PREFIX}/set-tag", name="mlflow.model_versions.set_tag")
def set_tag(group: str, body: TagBody, ctx: Ctx, hub: Services) -> Response:
    number = version_number(body.version)
    hub.registry.versions.set_tag(ctx, group, body.name, number, body.key, body.value)
    return reply({})


class UntagBody(VersionBody):
    key: str


@router.delete(f"{PREFIX}/delete-tag", name="mlflow.model_versions.delete_tag")
def delete_tag(group: str, body: UntagBody, ctx: Ctx, hub: Services) -> Response:
    number = version_number(body.version)
    hub.registry.versions.delete_tag(ctx, group, body.name, number, body.key)
    return reply({})


def _fields(found: ModelVersion) -> dict[str, str | float | None]:
    wired = rw.version(found)
    fields: dict[str, str | float | None] = {
        k: wired.get(k) for k in ("name", "run_id", "source", "model_id", "status")
    }
    fields["version"] = float(found.version)
    fields["version_number"] = float(found.version)
    fields.update({f"tags.{k}": v for k, v in found.tags.items()})
    return fields


@router.get(f"{PREFIX}/search", name="mlflow.model_versions.search")
def search(
    group: str,
    ctx: Ctx,
    hub: Services,
    filter: Annotated[str | None, Query(max_length=10_000)] = None,
    max_results: Annotated[int, Query(ge=1, le=200_000)] = 10_000,
    page_token: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """Comparisons joined by AND on name, run_id, source, status and tags; newest first."""
    wanted = filters.conditions(filter)
    names = [v for f, op, v in wanted if f == "name" and op == "=" and isinstance(v, str)]
    models = names[:1] or [m.name for m in rw.all_models(hub, ctx, group)]
    kept = [
        found
        for name in models
        for found in rw.all_versions(hub, ctx, group, name)
        if filters.matches(_fields(found), wanted)
    ]
    start = int(page_token) if page_token and page_token.isdigit() else 0
    answer: dict[str, Any] = {
        "model_versions": [rw.version(v) for v in kept[start : start + max_results]]
    }
    if start + max_results < len(kept):
        answer["next_page_token"] = str(start + max_results)
    return reply(answer)
