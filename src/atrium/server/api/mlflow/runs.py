"""MLflow runs onto Atrium runs: create, read, update, delete, search."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from atrium.contracts.tracking import RunCreate, RunSearch, RunSource, RunUpdate
from atrium.server.api.deps import Ctx, Services
from atrium.server.api.mlflow import filters, wire
from atrium.server.api.mlflow.errors import MlflowRoute, invalid, missing, reply
from atrium.server.api.mlflow.experiments import name_of, names_of
from atrium.server.api.mlflow.wire import Body, KeyValue

router = APIRouter(route_class=MlflowRoute)
PREFIX = "/api/2.0/mlflow/runs"
RUN_ID = r"^[0-9a-f]{32}$"
# MLflow's source types onto Atrium's: a Databricks job is not an Atrium job.
SOURCE_TYPES = {"NOTEBOOK": "notebook", "LOCAL": "script", "PROJECT": "script"}
STATUSES = {"RUNNING": "running", "SCHEDULED": "running", "FINISHED": "finished"}
STATUSES |= {"FAILED": "failed", "KILLED": "killed"}
MAX_PAGE = 1000


def check_run_id(run_id: str | None) -> str:
    if not run_id or len(run_id) != 32 or any(c not in "0123456789abcdef" for c in run_id):
        raise missing(f"Run with id={run_id!r} not found")
    return run_id


def _source(tags: dict[str, str]) -> RunSource:
    commit = tags.get(wire.GIT_COMMIT_TAG, "").lower()
    valid_commit = 7 <= len(commit) <= 64 and all(c in "0123456789abcdef" for c in commit)
    return RunSource(
        type=SOURCE_TYPES.get(tags.get(wire.SOURCE_TYPE_TAG, ""), "other"),
        name=tags.get(wire.SOURCE_NAME_TAG, "")[:500] or None,
        git_commit=commit if valid_commit else None,
    )


class CreateBody(Body):
    experiment_id: str | None = None
    user_id: str | None = None
    start_time: int | None = None
    tags: list[KeyValue] = []
    run_name: str | None = None


@router.post(f"{PREFIX}/create", name="mlflow.runs.create")
def create(group: str, body: CreateBody, ctx: Ctx, hub: Services) -> Response:
    """The run's user is the token's, whatever ``user_id`` says."""
    tags = {t.key: t.value for t in body.tags}
    parent = tags.get(wire.PARENT_TAG)
    made = hub.tracking.runs.create(
        ctx,
        group,
        RunCreate(
            experiment=name_of(hub, ctx, group, body.experiment_id),
            name=body.run_name or tags.get(wire.RUN_NAME_TAG) or None,
            parent_run_id=check_run_id(parent) if parent else None,
            source=_source(tags),
            start_time=wire.from_millis(body.start_time),
            tags={k: v for k, v in tags.items() if k not in wire.ATTRIBUTE_TAGS},
        ),
    )
    return reply({"run": wire.full_run(made)})


@router.get(f"{PREFIX}/get", name="mlflow.runs.get")
def get(
    group: str,
    ctx: Ctx,
    hub: Services,
    run_id: Annotated[str | None, Query(max_length=64)] = None,
    run_uuid: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    found = hub.tracking.runs.get(ctx, group, check_run_id(run_id or run_uuid))
    return reply({"run": wire.full_run(found)})


class UpdateBody(Body):
    run_id: str | None = None
    run_uuid: str | None = None
    status: str | None = None
    end_time: int | None = None
    run_name: str | None = None


@router.post(f"{PREFIX}/update", name="mlflow.runs.update")
def update(group: str, body: UpdateBody, ctx: Ctx, hub: Services) -> Response:
    if body.status is not None and body.status not in STATUSES:
        raise invalid(f"unknown run status {body.status!r}: use one of {sorted(STATUSES)}")
    changes = RunUpdate(
        name=body.run_name or None,
        status=STATUSES[body.status] if body.status else None,
        end_time=wire.from_millis(body.end_time),
    )
    run_id = check_run_id(body.run_id or body.run_uuid)
    found = hub.tracking.runs.update(ctx, group, run_id, changes)
    return reply({"run_info": wire.run_info(found)})


class RunIdBody(Body):
    run_id: str


@router.post(f"{PREFIX}/delete", name="mlflow.runs.delete")
def delete(group: str, body: RunIdBody, ctx: Ctx, hub: Services) -> Response:
    hub.tracking.runs.delete(ctx, group, check_run_id(body.run_id))
    return reply({})


class SearchBody(Body):
    experiment_ids: list[str] = []
    filter: str | None = None
    run_view_type: str | int = "ACTIVE_ONLY"
    max_results: int = 1000
    order_by: list[str] = []
    page_token: str | None = None


@router.post(f"{PREFIX}/search", name="mlflow.runs.search")
def search(group: str, body: SearchBody, ctx: Ctx, hub: Services) -> Response:
    """Pages hold at most 1,000 runs; the client follows ``next_page_token`` for more.
    Deleted runs are not searchable."""
    if str(body.run_view_type) in ("DELETED_ONLY", "2"):
        return reply({"runs": []})
    if body.max_results < 1:
        raise invalid(f"max_results must be at least 1, not {body.max_results}")
    names = names_of(hub, ctx, group, body.experiment_ids)
    if names == []:
        return reply({"runs": []})
    query = RunSearch(
        experiments=names,
        filter=filters.translate(body.filter or ""),
        order_by=[filters.translate(entry) for entry in body.order_by],
        limit=min(body.max_results, MAX_PAGE),
        cursor=body.page_token or None,
    )
    page = hub.tracking.search.search(ctx, group, query)
    answer: dict[str, Any] = {"runs": [wire.full_run(r) for r in page.items]}
    if page.next_cursor:
        answer["next_page_token"] = page.next_cursor
    return reply(answer)
