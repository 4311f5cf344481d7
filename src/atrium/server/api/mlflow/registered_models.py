"""MLflow registered models and aliases onto Atrium's model registry."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from atrium.contracts.registry import ModelCreate, ModelUpdate
from atrium.server.api.deps import Ctx, Services
from atrium.server.api.mlflow import filters
from atrium.server.api.mlflow import registry_wire as rw
from atrium.server.api.mlflow.errors import MlflowRoute, invalid, reply
from atrium.server.api.mlflow.wire import Body, KeyValue
from atrium.server.domain.errors import Conflict

router = APIRouter(route_class=MlflowRoute)
PREFIX = "/api/2.0/mlflow/registered-models"
NameQuery = Annotated[str, Query(max_length=1000)]


def version_number(value: str | int) -> int:
    text = str(value)
    if not text.isdigit() or not 1 <= int(text) < 2**31:
        raise invalid(f"invalid model version {text!r}: a number from 1")
    return int(text)


class CreateBody(Body):
    name: str
    tags: list[KeyValue] = []
    description: str | None = None


@router.post(f"{PREFIX}/create", name="mlflow.registered_models.create")
def create(group: str, body: CreateBody, ctx: Ctx, hub: Services) -> Response:
    tags = {t.key: t.value for t in body.tags}
    wanted = ModelCreate(name=body.name, description=body.description or None, tags=tags)
    made = hub.registry.models.create(ctx, group, wanted)
    return reply({"registered_model": rw.model(made, None)})


@router.get(f"{PREFIX}/get", name="mlflow.registered_models.get")
def get(group: str, name: NameQuery, ctx: Ctx, hub: Services) -> Response:
    found = hub.registry.models.get(ctx, group, name)
    return reply({"registered_model": rw.model(found, rw.latest(hub, ctx, group, found))})


@router.get(f"{PREFIX}/search", name="mlflow.registered_models.search")
def search(
    group: str,
    ctx: Ctx,
    hub: Services,
    filter: Annotated[str | None, Query(max_length=10_000)] = None,
    max_results: Annotated[int, Query(ge=1, le=100_000)] = 100,
    page_token: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """``name = 'x'``, ``name LIKE '%x%'`` and ``tags.k = 'v'`` joined by AND, paged by offset."""
    wanted = filters.conditions(filter)
    kept = []
    for found in rw.all_models(hub, ctx, group):
        fields: dict[str, str | float | None] = {"name": found.name}
        fields.update({f"tags.{k}": v for k, v in found.tags.items()})
        if filters.matches(fields, wanted):
            kept.append(found)
    start = int(page_token) if page_token and page_token.isdigit() else 0
    page = kept[start : start + max_results]
    answer: dict[str, Any] = {
        "registered_models": [rw.model(m, rw.latest(hub, ctx, group, m)) for m in page]
    }
    if start + max_results < len(kept):
        answer["next_page_token"] = str(start + max_results)
    return reply(answer)


class RenameBody(Body):
    name: str
    new_name: str


@router.post(f"{PREFIX}/rename", name="mlflow.registered_models.rename")
def rename(group: str, body: RenameBody, ctx: Ctx, hub: Services) -> Response:
    found = hub.registry.models.update(ctx, group, body.name, ModelUpdate(name=body.new_name))
    return reply({"registered_model": rw.model(found, None)})


class UpdateBody(Body):
    name: str
    description: str | None = None


@router.patch(f"{PREFIX}/update", name="mlflow.registered_models.update")
def update(group: str, body: UpdateBody, ctx: Ctx, hub: Services) -> Response:
    changes = ModelUpdate(description=body.description or None)
    found = hub.registry.models.update(ctx, group, body.name, changes)
    return reply({"registered_model": rw.model(found, None)})


class NameBody(Body):
    name: str


@router.delete(f"{PREFIX}/delete", name="mlflow.registered_models.delete")
def delete(group: str, body: NameBody, ctx: Ctx, hub: Services) -> Response:
    hub.registry.models.delete(ctx, group, body.name)
    return reply({})


class TagBody(NameBody):
    key: str
    value: str = ""


@router.post(f"{PREFIX}/set-tag", name="mlflow.registered_models.set_tag")
def set_tag(group: str, body: TagBody, ctx: Ctx, hub: Services) -> Response:
    hub.registry.models.set_tag(ctx, group, body.name, body.key, body.value)
    return reply({})


class UntagBody(NameBody):
    key: str


@router.delete(f"{PREFIX}/delete-tag", name="mlflow.registered_models.delete_tag")
def delete_tag(group: str, body: UntagBody, ctx: Ctx, hub: Services) -> Response:
    hub.registry.models.delete_tag(ctx, group, body.name, body.key)
    return reply({})


class LatestBody(NameBody):
    stages: list[str] = []


@router.post(f"{PREFIX}/get-latest-versions", name="mlflow.registered_models.latest_versions")
def latest_versions(group: str, body: LatestBody, ctx: Ctx, hub: Services) -> Response:
    """Every version is in stage ``None``: the newest ready one, unless other stages are asked."""
    found = hub.registry.models.get(ctx, group, body.name)
    newest = rw.latest(hub, ctx, group, found)
    wanted = not body.stages or "none" in {s.lower() for s in body.stages}
    return reply({"model_versions": [rw.version(newest)] if newest and wanted else []})


class AliasBody(NameBody):
    alias: str
    version: str | int


@router.post(f"{PREFIX}/alias", name="mlflow.registered_models.set_alias")
def set_alias(group: str, body: AliasBody, ctx: Ctx, hub: Services) -> Response:
    number = version_number(body.version)
    try:
        hub.registry.aliases.set(ctx, group, body.name, body.alias, number)
    except Conflict as exc:  # a pending version: not an existing resource
        raise invalid(exc.message) from exc
    return reply({})


class UnaliasBody(NameBody):
    alias: str


@router.delete(f"{PREFIX}/alias", name="mlflow.registered_models.delete_alias")
def delete_alias(group: str, body: UnaliasBody, ctx: Ctx, hub: Services) -> Response:
    hub.registry.aliases.delete(ctx, group, body.name, body.alias)
    return reply({})


@router.get(f"{PREFIX}/alias", name="mlflow.registered_models.get_alias")
def get_alias(
    group: str,
    name: NameQuery,
    alias: Annotated[str, Query(max_length=255)],
    ctx: Ctx,
    hub: Services,
) -> Response:
    found = hub.registry.aliases.get(ctx, group, name, alias)
    target = hub.registry.versions.get(ctx, group, name, found.version)
    return reply({"model_version": rw.version(target)})
