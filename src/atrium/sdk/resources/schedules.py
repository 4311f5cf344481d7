"""Schedules: a job submitted on a cron (or a preset) in a timezone."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self

from atrium.sdk.jobs.spec import job_template as job_template  # re-exported: schedules take one
from atrium.sdk.models import Json, Page
from atrium.sdk.resources._base import Resource, compact, seg


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class ScheduleRun:
    """One tick or manual trigger: ``outcome`` is submitted, skipped or failed."""

    id: int
    time: datetime
    scheduled_for: datetime | None
    trigger: str
    actor: str | None
    outcome: str
    job_id: int | None
    message: str

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(
            id=data["id"],
            time=datetime.fromisoformat(data["time"]),
            scheduled_for=_when(data.get("scheduled_for")),
            trigger=data["trigger"],
            actor=data.get("actor"),
            outcome=data["outcome"],
            job_id=data.get("job_id"),
            message=data["message"],
        )


@dataclass(frozen=True)
class Schedule:
    """A schedule; ``status`` is active, disabled or invalid (then ``problem`` says why)."""

    name: str
    group: str
    cron: str
    preset: str | None
    timezone: str
    job: dict[str, Any]
    enabled: bool
    status: str
    problem: str | None
    owner: str | None
    created_by: str | None
    created_at: datetime
    updated_by: str | None
    updated_at: datetime
    next_runs: list[datetime]
    last_run: ScheduleRun | None

    @classmethod
    def from_api(cls, data: Json) -> Self:
        last = data.get("last_run")
        return cls(
            name=data["name"],
            group=data["group"],
            cron=data["cron"],
            preset=data.get("preset"),
            timezone=data["timezone"],
            job=dict(data["job"]),
            enabled=data["enabled"],
            status=data["status"],
            problem=data.get("problem"),
            owner=data.get("owner"),
            created_by=data.get("created_by"),
            created_at=datetime.fromisoformat(data["created_at"]),
            updated_by=data.get("updated_by"),
            updated_at=datetime.fromisoformat(data["updated_at"]),
            next_runs=[datetime.fromisoformat(t) for t in data.get("next_runs") or []],
            last_run=ScheduleRun.from_api(last) if last else None,
        )


class SchedulesResource(Resource):
    def _path(self, group: str, name: str | None = None, action: str | None = None) -> str:
        path = f"/groups/{seg(group)}/schedules"
        if name is not None:
            path += f"/{seg(name)}"
        return path if action is None else f"{path}/{action}"

    def list(
        self,
        group: str,
        *,
        enabled: bool | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[Schedule]:
        query = {"enabled": enabled, "limit": limit, "cursor": cursor}
        return self._http.page(self._path(group), Schedule.from_api, query)

    def iter_all(self, group: str, *, enabled: bool | None = None) -> Iterator[Schedule]:
        return self._http.iterate(self._path(group), Schedule.from_api, {"enabled": enabled})

    def get(self, group: str, name: str, *, next_runs: int | None = None) -> Schedule:
        """The schedule with its next ``next_runs`` times (default 5)."""
        data = self._http.request("GET", self._path(group, name), params={"next": next_runs})
        return Schedule.from_api(data)

    def create(
        self,
        group: str,
        name: str,
        job: Mapping[str, Any],
        *,
        cron: str | None = None,
        preset: str | None = None,
        timezone: str | None = None,
        enabled: bool | None = None,
    ) -> Schedule:
        """Create a schedule: ``cron`` ("0 2 * * *") or ``preset`` (hourly, daily, weekly,
        monthly), in ``timezone`` (IANA, default UTC). ``job`` is a job spec, e.g. from
        :func:`job_template`; its jobs are submitted as you."""
        body = compact(
            name=name, job=dict(job), cron=cron, preset=preset, timezone=timezone, enabled=enabled
        )
        return Schedule.from_api(self._http.request("POST", self._path(group), json=body))

    def update(
        self,
        group: str,
        name: str,
        *,
        job: Mapping[str, Any] | None = None,
        cron: str | None = None,
        preset: str | None = None,
        timezone: str | None = None,
        enabled: bool | None = None,
    ) -> Schedule:
        """Change what is given. Changing ``job`` makes you the owner its jobs run as."""
        body = compact(
            job=dict(job) if job is not None else None,
            cron=cron,
            preset=preset,
            timezone=timezone,
            enabled=enabled,
        )
        return Schedule.from_api(self._http.request("PATCH", self._path(group, name), json=body))

    def enable(self, group: str, name: str) -> Schedule:
        """Tick again from the next cron time on (missed ticks are not replayed)."""
        return Schedule.from_api(self._http.request("POST", self._path(group, name, "enable")))

    def disable(self, group: str, name: str) -> Schedule:
        return Schedule.from_api(self._http.request("POST", self._path(group, name, "disable")))

    def trigger(self, group: str, name: str) -> ScheduleRun:
        """Submit the job now, as you; ``job_id`` of the result is the new job."""
        data = self._http.request("POST", self._path(group, name, "trigger"))
        return ScheduleRun.from_api(data)

    def history(
        self, group: str, name: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[ScheduleRun]:
        """Ticks and triggers, newest first."""
        query = {"limit": limit, "cursor": cursor}
        return self._http.page(self._path(group, name, "history"), ScheduleRun.from_api, query)

    def iter_history(self, group: str, name: str) -> Iterator[ScheduleRun]:
        return self._http.iterate(self._path(group, name, "history"), ScheduleRun.from_api)

    def delete(self, group: str, name: str) -> None:
        self._http.request("DELETE", self._path(group, name))
