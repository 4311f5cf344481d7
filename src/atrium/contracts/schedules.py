"""Schedules: a job template submitted on a cron (or a preset) in a timezone."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from atrium.contracts.common import Input, Name
from atrium.contracts.jobs import JobSubmit

Preset = Literal["hourly", "daily", "weekly", "monthly"]
ScheduleStatus = Literal["active", "disabled", "invalid"]
RunOutcome = Literal["submitted", "skipped", "failed"]
CronExpression = Annotated[
    str,
    StringConstraints(max_length=200, pattern=r"^[^\x00-\x1f]*$"),
    Field(description="5 fields: minute hour day-of-month month day-of-week"),
]
Timezone = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_+./-]+$"),
    Field(description="IANA name, e.g. Europe/Paris"),
]


class ScheduleCreate(Input):
    """Exactly one of ``cron`` and ``preset``."""

    name: Name
    cron: CronExpression | None = None
    preset: Preset | None = Field(
        default=None, description="hourly, daily (00:00), weekly (Sunday 00:00), monthly (1st)"
    )
    timezone: Timezone = "UTC"
    job: JobSubmit
    enabled: bool = True

    @model_validator(mode="after")
    def _one_timing(self) -> ScheduleCreate:
        if (self.cron is None) == (self.preset is None):
            raise ValueError("give either cron or preset")
        return self


class ScheduleUpdate(Input):
    """Fields left out stay as they are; ``cron`` and ``preset`` replace each other."""

    cron: CronExpression | None = None
    preset: Preset | None = None
    timezone: Timezone | None = None
    job: JobSubmit | None = None
    enabled: bool | None = None

    @model_validator(mode="after")
    def _at_most_one_timing(self) -> ScheduleUpdate:
        if self.cron is not None and self.preset is not None:
            raise ValueError("give cron or preset, not both")
        return self


class ScheduleRun(BaseModel):
    """One tick of a schedule, or one manual trigger, and what came of it."""

    id: int
    time: datetime
    scheduled_for: datetime | None = Field(description="The cron time; null for a trigger")
    trigger: Literal["schedule", "manual"]
    actor: str | None
    outcome: RunOutcome
    job_id: int | None
    message: str


class Schedule(BaseModel):
    name: str
    group: str
    cron: str
    preset: Preset | None
    timezone: str
    job: JobSubmit
    enabled: bool
    status: ScheduleStatus
    problem: str | None = Field(description="Why the last tick could not submit; null when fine")
    owner: str | None = Field(description="The user its jobs are submitted as")
    created_by: str | None
    created_at: datetime
    updated_by: str | None
    updated_at: datetime
    next_runs: list[datetime] = Field(description="Upcoming ticks, in the schedule's timezone")
    last_run: ScheduleRun | None
