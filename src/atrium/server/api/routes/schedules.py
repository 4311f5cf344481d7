"""Schedules: a job template submitted on a cron; enable, disable, trigger, history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from atrium.contracts.common import Page
from atrium.contracts.schedules import Schedule, ScheduleCreate, ScheduleRun, ScheduleUpdate
from atrium.server.api.deps import Ctx, Paging, Services
from atrium.server.api.routes import ERRORS

router = APIRouter(prefix="/groups/{group}/schedules", tags=["schedules"], responses=ERRORS)
GroupName = Annotated[str, Path(max_length=63)]
ScheduleName = Annotated[str, Path(max_length=63)]


@router.get("", name="schedules.list")
def list_schedules(
    group: GroupName,
    ctx: Ctx,
    hub: Services,
    paging: Paging,
    enabled: Annotated[bool | None, Query(description="Only enabled, or only disabled")] = None,
) -> Page[Schedule]:
    return hub.schedules.list(ctx, group, enabled, paging.limit, paging.cursor)


@router.post("", status_code=201, name="schedules.create")
def create_schedule(group: GroupName, body: ScheduleCreate, ctx: Ctx, hub: Services) -> Schedule:
    return hub.schedules.create(ctx, group, body)


@router.get("/{name}", name="schedules.get")
def get_schedule(
    group: GroupName,
    name: ScheduleName,
    ctx: Ctx,
    hub: Services,
    next: Annotated[int, Query(ge=1, le=100, description="How many next runs to list")] = 5,
) -> Schedule:
    return hub.schedules.get(ctx, group, name, next)


@router.patch("/{name}", name="schedules.update")
def update_schedule(
    group: GroupName, name: ScheduleName, body: ScheduleUpdate, ctx: Ctx, hub: Services
) -> Schedule:
    return hub.schedules.update(ctx, group, name, body)


@router.delete("/{name}", status_code=204, name="schedules.delete")
def delete_schedule(group: GroupName, name: ScheduleName, ctx: Ctx, hub: Services) -> Response:
    hub.schedules.delete(ctx, group, name)
    return Response(status_code=204)


@router.post("/{name}/enable", name="schedules.enable")
def enable_schedule(group: GroupName, name: ScheduleName, ctx: Ctx, hub: Services) -> Schedule:
    body = ScheduleUpdate(enabled=True)
    return hub.schedules.update(ctx, group, name, body, action="schedule.enable")


@router.post("/{name}/disable", name="schedules.disable")
def disable_schedule(group: GroupName, name: ScheduleName, ctx: Ctx, hub: Services) -> Schedule:
    body = ScheduleUpdate(enabled=False)
    return hub.schedules.update(ctx, group, name, body, action="schedule.disable")


@router.post("/{name}/trigger", status_code=201, name="schedules.trigger")
def trigger_schedule(group: GroupName, name: ScheduleName, ctx: Ctx, hub: Services) -> ScheduleRun:
    """Submit the job now, as the caller; refused (409) while its previous job still runs."""
    return hub.schedules.trigger(ctx, group, name)


@router.get("/{name}/history", name="schedules.history")
def schedule_history(
    group: GroupName, name: ScheduleName, ctx: Ctx, hub: Services, paging: Paging
) -> Page[ScheduleRun]:
    """Ticks and triggers, newest first: submitted, skipped or failed, and why."""
    return hub.schedules.history(ctx, group, name, paging.limit, paging.cursor)
