"""Logging into MLflow runs (metrics, params, tags, inputs, outputs) and metric histories.

Every write is one Atrium log batch, so it lands whole or not at all; a param logged again
with another value is MLflow's INVALID_PARAMETER_VALUE, as on an MLflow server.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from atrium.contracts.tracking import LogBatch, MetricSeries, RunUpdate
from atrium.server.api.deps import Ctx, Services
from atrium.server.api.mlflow import wire
from atrium.server.api.mlflow.errors import MlflowRoute, invalid, reply
from atrium.server.api.mlflow.runs import check_run_id
from atrium.server.api.mlflow.wire import Body, KeyValue, MetricIn
from atrium.server.domain.errors import Conflict, NotFound
from atrium.server.domain.model import Context
from atrium.server.services.hub import Hub

router = APIRouter(route_class=MlflowRoute)
RUNS = "/api/2.0/mlflow/runs"


def _series(metrics: Sequence[MetricIn]) -> list[MetricSeries]:
    """Points grouped by key, in the order sent (checked when each series is built)."""
    grouped: dict[str, list[MetricIn]] = {}
    for m in metrics:
        grouped.setdefault(m.key, []).append(m)
    return [
        MetricSeries(
            key=key,
            steps=[m.step for m in points],
            values=[m.value for m in points],
            timestamps=[m.timestamp for m in points],
        )
        for key, points in grouped.items()
    ]


def _point(step: int, timestamp: int, value: float) -> tuple[int, int, str]:
    return step, timestamp, repr(value)  # repr: NaN equals NaN


def _new(
    hub: Hub, ctx: Context, group: str, run_id: str, metrics: Sequence[MetricIn]
) -> list[MetricIn]:
    """The points not yet in the run. Logging a model, the client sends the run's points at
    the model's step again, marked with the model's id: an MLflow server links them to the
    model, Atrium has them already. Points of a model (autologged ones) that are new stay."""
    linked = {m.key for m in metrics if m.model_id}
    known: set[tuple[str, int, int, str]] = set()
    for key in linked:
        try:
            found = hub.tracking.logging.history(ctx, group, run_id, key, None, None, None)
        except NotFound:
            continue
        points = zip(found.steps, found.timestamps, found.values, strict=True)
        known.update((key, *_point(*p)) for p in points)
    return [
        m
        for m in metrics
        if not m.model_id or (m.key, *_point(m.step, m.timestamp, m.value)) not in known
    ]


def log(
    hub: Hub,
    ctx: Context,
    group: str,
    run_id: str | None,
    metrics: Sequence[MetricIn] = (),
    params: Sequence[KeyValue] = (),
    tags: Sequence[KeyValue] = (),
) -> Response:
    """One Atrium batch; ``mlflow.runName`` renames the run, as it does in MLflow. An empty
    batch only checks that the caller may write to the run."""
    run_id = check_run_id(run_id)
    tag_map = {t.key: t.value for t in tags}
    rename = tag_map.pop(wire.RUN_NAME_TAG, None)
    for key in wire.ATTRIBUTE_TAGS & tag_map.keys():
        del tag_map[key]  # the user and parent are fixed when the run starts
    points = _series(_new(hub, ctx, group, run_id, metrics))
    batch = LogBatch(params={p.key: p.value for p in params}, tags=tag_map, metrics=points)
    try:
        hub.tracking.logging.log_batch(ctx, group, run_id, batch)
    except Conflict as exc:
        raise invalid(exc.message) from exc
    if rename:
        hub.tracking.runs.update(ctx, group, run_id, RunUpdate(name=rename))
    return reply({})


class MetricBody(MetricIn):
    run_id: str | None = None
    run_uuid: str | None = None


@router.post(f"{RUNS}/log-metric", name="mlflow.runs.log_metric")
def log_metric(group: str, body: MetricBody, ctx: Ctx, hub: Services) -> Response:
    return log(hub, ctx, group, body.run_id or body.run_uuid, metrics=[body])


class ParamBody(KeyValue):
    run_id: str | None = None
    run_uuid: str | None = None


@router.post(f"{RUNS}/log-parameter", name="mlflow.runs.log_param")
def log_param(group: str, body: ParamBody, ctx: Ctx, hub: Services) -> Response:
    return log(hub, ctx, group, body.run_id or body.run_uuid, params=[body])


@router.post(f"{RUNS}/set-tag", name="mlflow.runs.set_tag")
def set_tag(group: str, body: ParamBody, ctx: Ctx, hub: Services) -> Response:
    return log(hub, ctx, group, body.run_id or body.run_uuid, tags=[body])


class UntagBody(Body):
    run_id: str
    key: str


@router.post(f"{RUNS}/delete-tag", name="mlflow.runs.delete_tag")
def delete_tag(group: str, body: UntagBody, ctx: Ctx, hub: Services) -> Response:
    hub.tracking.runs.delete_tag(ctx, group, check_run_id(body.run_id), body.key)
    return reply({})


class BatchBody(Body):
    run_id: str
    metrics: list[MetricIn] = []
    params: list[KeyValue] = []
    tags: list[KeyValue] = []


@router.post(f"{RUNS}/log-batch", name="mlflow.runs.log_batch")
def log_batch(group: str, body: BatchBody, ctx: Ctx, hub: Services) -> Response:
    return log(hub, ctx, group, body.run_id, body.metrics, body.params, body.tags)


class InputsBody(Body):
    run_id: str
    datasets: list[dict[str, Any]] = []
    models: list[dict[str, Any]] = []


@router.post(f"{RUNS}/log-inputs", name="mlflow.runs.log_inputs")
def log_inputs(group: str, body: InputsBody, ctx: Ctx, hub: Services) -> Response:
    """Accepted and not stored: Atrium's run inputs are its own dataset versions."""
    return log(hub, ctx, group, body.run_id)  # an empty batch: checks the caller may write


class OutputsBody(Body):
    run_id: str
    models: list[dict[str, Any]] = []


@router.post(f"{RUNS}/outputs", name="mlflow.runs.log_outputs")
def log_outputs(group: str, body: OutputsBody, ctx: Ctx, hub: Services) -> Response:
    """A run's model outputs are the logged models stored in it (logged_models.py)."""
    return log(hub, ctx, group, body.run_id)  # an empty batch: checks the caller may write


class LogModelBody(Body):
    run_id: str
    model_json: str = ""


@router.post(f"{RUNS}/log-model", name="mlflow.runs.log_model")
def log_model(group: str, body: LogModelBody, ctx: Ctx, hub: Services) -> Response:
    """MLflow 2's record of a model's metadata: the MLmodel file among the artifacts says it."""
    return log(hub, ctx, group, body.run_id)  # an empty batch: checks the caller may write


@router.get("/api/2.0/mlflow/metrics/get-history", name="mlflow.metrics.history")
def history(
    group: str,
    ctx: Ctx,
    hub: Services,
    metric_key: Annotated[str, Query(max_length=1000)],
    run_id: Annotated[str | None, Query(max_length=64)] = None,
    run_uuid: Annotated[str | None, Query(max_length=64)] = None,
    max_results: Annotated[int | None, Query(ge=1)] = None,
    page_token: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """Every point in step order; ``max_results`` pages by offset."""
    run = check_run_id(run_id or run_uuid)
    try:
        found = hub.tracking.logging.history(ctx, group, run, metric_key, None, None, None)
    except NotFound:
        hub.tracking.runs.get(ctx, group, run)  # a missing run is an error, a missing key not
        return reply({"metrics": []})
    start = int(page_token) if page_token and page_token.isdigit() else 0
    end = len(found.values) if max_results is None else start + max_results
    points = [
        {"key": metric_key, "value": v, "timestamp": t, "step": s}
        for s, t, v in zip(
            found.steps[start:end],
            found.timestamps[start:end],
            found.values[start:end],
            strict=True,
        )
    ]
    answer: dict[str, Any] = {"metrics": points}
    if end < len(found.values):
        answer["next_page_token"] = str(end)
    return reply(answer)
