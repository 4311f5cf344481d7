"""MLflow experiments onto the group's Atrium experiments."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from atrium.contracts.tracking import Experiment, ExperimentCreate, ExperimentUpdate
from atrium.server.api.deps import Ctx, Services
from atrium.server.api.mlflow import filters, wire
from atrium.server.api.mlflow.errors import (
    RESOURCE_ALREADY_EXISTS,
    MlflowError,
    MlflowRoute,
    invalid,
    missing,
    reply,
)
from atrium.server.api.mlflow.wire import Body, KeyValue
from atrium.server.domain.errors import Conflict
from atrium.server.domain.model import Context
from atrium.server.services.hub import Hub

router = APIRouter(route_class=MlflowRoute)
PREFIX = "/api/2.0/mlflow/experiments"
ORDER_FIELDS = {"name", "experiment_id", "creation_time", "last_update_time"}


def all_experiments(hub: Hub, ctx: Context, group: str) -> Iterator[Experiment]:
    cursor = None
    while True:
        page = hub.tracking.experiments.list(ctx, group, None, 500, cursor)
        yield from page.items
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def by_name(hub: Hub, ctx: Context, group: str, name: str) -> Experiment | None:
    found = hub.tracking.experiments.list(ctx, group, name, 1, None).items
    return found[0] if found else None


def find(hub: Hub, ctx: Context, group: str, experiment_id: str) -> Experiment:
    """The experiment ``experiment_id``; MLflow's default "0" is the group's ``default``."""
    if experiment_id == wire.DEFAULT_EXPERIMENT_ID:
        found = by_name(hub, ctx, group, wire.DEFAULT_EXPERIMENT)
        if found is not None:
            return found
        return hub.tracking.experiments.create(
            ctx, group, ExperimentCreate(name=wire.DEFAULT_EXPERIMENT)
        )
    if not experiment_id.isdigit() or len(experiment_id) > 18:
        raise missing(f"No experiment with id {experiment_id!r} in {group!r}")
    return hub.tracking.experiments.get(ctx, group, int(experiment_id))


def name_of(hub: Hub, ctx: Context, group: str, experiment_id: str | None) -> str:
    if not experiment_id:
        return wire.DEFAULT_EXPERIMENT
    if experiment_id == wire.DEFAULT_EXPERIMENT_ID:
        return wire.DEFAULT_EXPERIMENT
    return find(hub, ctx, group, experiment_id).name


def names_of(hub: Hub, ctx: Context, group: str, ids: list[str]) -> list[str] | None:
    """The names of the experiments ``ids`` for a search: None for all of them, [] when only
    MLflow's default "0" was asked for and the group has no ``default`` experiment yet."""
    if not ids:
        return None
    names = sorted({name_of(hub, ctx, group, e) for e in ids})
    default = wire.DEFAULT_EXPERIMENT
    if default in names and by_name(hub, ctx, group, default) is None:
        names.remove(default)
    return names


class CreateBody(Body):
    name: str
    artifact_location: str | None = None
    tags: list[KeyValue] = []


@router.post(f"{PREFIX}/create", name="mlflow.experiments.create")
def create(group: str, body: CreateBody, ctx: Ctx, hub: Services) -> Response:
    """``artifact_location`` is ignored: artifacts always go to Atrium's blob store."""
    tags = {t.key: t.value for t in body.tags}
    try:
        made = hub.tracking.experiments.create(
            ctx, group, ExperimentCreate(name=body.name, tags=tags)
        )
    except Conflict as exc:
        raise MlflowError(RESOURCE_ALREADY_EXISTS, exc.message) from exc
    return reply({"experiment_id": str(made.id)})


@router.get(f"{PREFIX}/get", name="mlflow.experiments.get")
def get(
    group: str, ctx: Ctx, hub: Services, experiment_id: Annotated[str, Query(max_length=40)]
) -> Response:
    return reply({"experiment": wire.experiment(find(hub, ctx, group, experiment_id))})


@router.get(f"{PREFIX}/get-by-name", name="mlflow.experiments.get_by_name")
def get_by_name(
    group: str, ctx: Ctx, hub: Services, experiment_name: Annotated[str, Query(max_length=250)]
) -> Response:
    found = by_name(hub, ctx, group, experiment_name)
    if found is None:
        raise missing(f"Could not find experiment with name '{experiment_name}'")
    return reply({"experiment": wire.experiment(found)})


class SearchBody(Body):
    max_results: int = 1000
    page_token: str | None = None
    filter: str | None = None
    order_by: list[str] = []
    view_type: str | int = "ACTIVE_ONLY"


def _sorted(found: list[dict[str, Any]], order_by: list[str]) -> list[dict[str, Any]]:
    keys = list(order_by) or ["creation_time DESC"]
    for entry in reversed([*keys, "experiment_id"]):
        field, _, direction = entry.strip().partition(" ")
        field = field.split(".")[-1]
        if field not in ORDER_FIELDS:
            raise invalid(
                f"cannot order experiments by {entry!r}: use one of {sorted(ORDER_FIELDS)}"
            )
        numeric = field != "name"
        found.sort(
            key=lambda e: int(e[field]) if numeric else e[field],
            reverse=direction.strip().upper() == "DESC",
        )
    return found


@router.post(f"{PREFIX}/search", name="mlflow.experiments.search")
def search(group: str, body: SearchBody, ctx: Ctx, hub: Services) -> Response:
    """Experiments per group are few: filtered and sorted here, paged by offset."""
    if str(body.view_type) in ("DELETED_ONLY", "2"):
        return reply({"experiments": []})
    wanted = filters.conditions(body.filter)
    found = [wire.experiment(e) for e in all_experiments(hub, ctx, group)]
    kept = [e for e in found if filters.matches(_fields(e), wanted)]
    start = int(body.page_token) if body.page_token and body.page_token.isdigit() else 0
    limit = max(1, min(body.max_results, 50_000))
    page = _sorted(kept, body.order_by)[start : start + limit]
    answer: dict[str, Any] = {"experiments": page}
    if start + limit < len(kept):
        answer["next_page_token"] = str(start + limit)
    return reply(answer)


def _fields(found: dict[str, Any]) -> dict[str, str | float | None]:
    fields: dict[str, str | float | None] = {
        "name": found["name"],
        "creation_time": float(found["creation_time"]),
        "last_update_time": float(found["last_update_time"]),
    }
    fields.update({f"tags.{t['key']}": t["value"] for t in found["tags"]})
    return fields


class IdBody(Body):
    experiment_id: str


@router.post(f"{PREFIX}/delete", name="mlflow.experiments.delete")
def delete(group: str, body: IdBody, ctx: Ctx, hub: Services) -> Response:
    found = find(hub, ctx, group, body.experiment_id)
    hub.tracking.experiments.delete(ctx, group, found.id)
    return reply({})


class UpdateBody(IdBody):
    new_name: str


@router.post(f"{PREFIX}/update", name="mlflow.experiments.update")
def update(group: str, body: UpdateBody, ctx: Ctx, hub: Services) -> Response:
    found = find(hub, ctx, group, body.experiment_id)
    hub.tracking.experiments.update(ctx, group, found.id, ExperimentUpdate(name=body.new_name))
    return reply({})


class TagBody(IdBody):
    key: str
    value: str = ""


@router.post(f"{PREFIX}/set-experiment-tag", name="mlflow.experiments.set_tag")
def set_tag(group: str, body: TagBody, ctx: Ctx, hub: Services) -> Response:
    found = find(hub, ctx, group, body.experiment_id)
    tags = {**found.tags, body.key: body.value}
    hub.tracking.experiments.update(ctx, group, found.id, ExperimentUpdate(tags=tags))
    return reply({})


class UntagBody(IdBody):
    key: str


@router.post(f"{PREFIX}/delete-experiment-tag", name="mlflow.experiments.delete_tag")
def delete_tag(group: str, body: UntagBody, ctx: Ctx, hub: Services) -> Response:
    found = find(hub, ctx, group, body.experiment_id)
    if body.key not in found.tags:
        raise missing(f"experiment {body.experiment_id} has no tag {body.key!r}")
    tags = {k: v for k, v in found.tags.items() if k != body.key}
    hub.tracking.experiments.update(ctx, group, found.id, ExperimentUpdate(tags=tags))
    return reply({})
