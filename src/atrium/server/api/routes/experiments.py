"""Experiments of a group."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from atrium.contracts.common import Page
from atrium.contracts.tracking import Experiment, ExperimentCreate, ExperimentUpdate
from atrium.server.api.deps import Ctx, Paging, Services
from atrium.server.api.routes import ERRORS

router = APIRouter(prefix="/groups/{group}/experiments", tags=["tracking"], responses=ERRORS)
GroupName = Annotated[str, Path(max_length=63)]
ExperimentId = Annotated[int, Path(ge=1, le=2**62)]


@router.get("", name="experiments.list")
def list_experiments(
    group: GroupName,
    ctx: Ctx,
    hub: Services,
    paging: Paging,
    name: Annotated[str | None, Query(max_length=250, description="Exact name")] = None,
) -> Page[Experiment]:
    return hub.tracking.experiments.list(ctx, group, name, paging.limit, paging.cursor)


@router.post("", status_code=201, name="experiments.create")
def create_experiment(
    group: GroupName, body: ExperimentCreate, ctx: Ctx, hub: Services
) -> Experiment:
    return hub.tracking.experiments.create(ctx, group, body)


@router.get("/{experiment_id}", name="experiments.get")
def get_experiment(
    group: GroupName, experiment_id: ExperimentId, ctx: Ctx, hub: Services
) -> Experiment:
    return hub.tracking.experiments.get(ctx, group, experiment_id)


@router.patch("/{experiment_id}", name="experiments.update")
def update_experiment(
    group: GroupName, experiment_id: ExperimentId, body: ExperimentUpdate, ctx: Ctx, hub: Services
) -> Experiment:
    return hub.tracking.experiments.update(ctx, group, experiment_id, body)


@router.delete("/{experiment_id}", status_code=204, name="experiments.delete")
def delete_experiment(
    group: GroupName, experiment_id: ExperimentId, ctx: Ctx, hub: Services
) -> Response:
    """Delete the experiment and its runs (soft: their artifacts go at the next blob GC)."""
    hub.tracking.experiments.delete(ctx, group, experiment_id)
    return Response(status_code=204)
