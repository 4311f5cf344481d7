"""MLflow 3's logged-models API (``/api/2.0/mlflow/logged-models``), onto run artifacts
(model_records.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from atrium.contracts.tracking import RunSearch
from atrium.server.api.deps import Ctx, Services
from atrium.server.api.mlflow import filters, wire
from atrium.server.api.mlflow.errors import MlflowRoute, invalid, missing, reply
from atrium.server.api.mlflow.experiments import find, names_of
from atrium.server.api.mlflow.model_records import STATUSES, Record, Records
from atrium.server.api.mlflow.runs import check_run_id
from atrium.server.api.mlflow.wire import Body, KeyValue

router = APIRouter(route_class=MlflowRoute)
PREFIX = "/api/2.0/mlflow/logged-models"
ModelId = Annotated[str, Path(max_length=100)]
# Fields a logged-model search can compare (besides params.* and tags.*).
SEARCH_FIELDS = ("name", "model_id", "source_run_id", "status", "model_type")


class CreateBody(Body):
    experiment_id: str
    name: str | None = None
    model_type: str | None = None
    source_run_id: str | None = None
    params: list[KeyValue] = []
    tags: list[KeyValue] = []


@router.post(PREFIX, name="mlflow.logged_models.create")
def create(group: str, body: CreateBody, ctx: Ctx, hub: Services) -> Response:
    experiment = find(hub, ctx, group, body.experiment_id)
    run_id = check_run_id(body.source_run_id) if body.source_run_id else None
    fields = {
        "model_type": body.model_type or "",
        "tags": {t.key: t.value for t in body.tags},
        "params": {p.key: p.value for p in body.params},
    }
    name = body.name or "model"
    made = Records(hub, ctx, group).create(experiment.name, name, run_id, fields)
    return reply({"model": made.wire()})


@router.get(f"{PREFIX}/{{model_id}}", name="mlflow.logged_models.get")
def get(group: str, model_id: ModelId, ctx: Ctx, hub: Services) -> Response:
    return reply({"model": Records(hub, ctx, group).get(model_id).wire()})


class FinalizeBody(Body):
    status: str


@router.patch(f"{PREFIX}/{{model_id}}", name="mlflow.logged_models.finalize")
def finalize(
    group: str, model_id: ModelId, body: FinalizeBody, ctx: Ctx, hub: Services
) -> Response:
    if body.status not in STATUSES:
        raise invalid(f"unknown logged model status {body.status!r}: use one of {sorted(STATUSES)}")
    records = Records(hub, ctx, group)
    record = records.get(model_id)
    record.status = body.status
    records.save(record)
    return reply({"model": record.wire()})


@router.delete(f"{PREFIX}/{{model_id}}", name="mlflow.logged_models.delete")
def delete(group: str, model_id: ModelId, ctx: Ctx, hub: Services) -> Response:
    """Marks the record deleted; the files stay with the run (and its versions)."""
    records = Records(hub, ctx, group)
    record = records.get(model_id)
    record.deleted = True
    records.save(record)
    return reply({})


class TagsBody(Body):
    tags: list[KeyValue] = []


@router.patch(f"{PREFIX}/{{model_id}}/tags", name="mlflow.logged_models.set_tags")
def set_tags(group: str, model_id: ModelId, body: TagsBody, ctx: Ctx, hub: Services) -> Response:
    records = Records(hub, ctx, group)
    record = records.get(model_id)
    record.tags = {**record.tags, **{t.key: t.value for t in body.tags}}
    records.save(record)
    return reply({})


@router.delete(f"{PREFIX}/{{model_id}}/tags/{{key}}", name="mlflow.logged_models.delete_tag")
def delete_tag(
    group: str,
    model_id: ModelId,
    key: Annotated[str, Path(max_length=1000)],
    ctx: Ctx,
    hub: Services,
) -> Response:
    records = Records(hub, ctx, group)
    record = records.get(model_id)
    if key not in record.tags:
        raise missing(f"logged model {model_id} has no tag {key!r}")
    record.tags = {k: v for k, v in record.tags.items() if k != key}
    records.save(record)
    return reply({})


class ParamsBody(Body):
    params: list[KeyValue] = []


@router.post(f"{PREFIX}/{{model_id}}/params", name="mlflow.logged_models.log_params")
def log_params(
    group: str, model_id: ModelId, body: ParamsBody, ctx: Ctx, hub: Services
) -> Response:
    records = Records(hub, ctx, group)
    record = records.get(model_id)
    record.params = {**record.params, **{p.key: p.value for p in body.params}}
    records.save(record)
    return reply({})


class SearchBody(Body):
    experiment_ids: list[str] = []
    filter: str | None = None
    max_results: int = 100
    page_token: str | None = None


def _fields(record: Record) -> dict[str, str | float | None]:
    fields: dict[str, str | float | None] = {k: getattr(record, k) for k in SEARCH_FIELDS}
    fields.update({f"params.{k}": v for k, v in record.params.items()})
    fields.update({f"tags.{k}": v for k, v in record.tags.items()})
    return fields


@router.post(f"{PREFIX}/search", name="mlflow.logged_models.search")
def search(group: str, body: SearchBody, ctx: Ctx, hub: Services) -> Response:
    """Comparisons joined by AND over the fields above, params and tags; one page of the
    newest 1,000 runs that hold logged models."""
    wanted = filters.conditions(body.filter)
    names = names_of(hub, ctx, group, body.experiment_ids)
    if names == []:
        return reply({"models": []})
    query = RunSearch(
        experiments=names, filter=f"tags.`{wire.LOGGED_MODELS_TAG}` IS NOT NULL", limit=1000
    )
    runs = hub.tracking.search.search(ctx, group, query).items
    found = [
        r for r in Records(hub, ctx, group).of_runs(runs) if filters.matches(_fields(r), wanted)
    ]
    found.sort(key=lambda r: r.created, reverse=True)
    answer: dict[str, Any] = {"models": [r.wire() for r in found[: max(1, body.max_results)]]}
    return reply(answer)
