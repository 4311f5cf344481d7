"""The monthly usage report: allocation-based resource-hours per group and user."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class UsageLine(BaseModel):
    group: str
    user: str | None = Field(description="None: the user has been deleted")
    cpu_core_hours: float
    memory_gb_hours: float = Field(description="GB here is GiB (2^30 bytes), as instance types")
    gpu_hours: float
    attempts: int = Field(description="Job attempts that held an allocation in the month")


class UsageReport(BaseModel):
    month: str
    start: datetime
    end: datetime
    generated_at: datetime
    scope: str = Field(description="all, or the groups and users this report covers")
    lines: list[UsageLine]
    groups: list[UsageLine] = Field(description="Per-group totals (user is null)")
