"""Quotas and usage."""

from __future__ import annotations

from pydantic import BaseModel, Field

from atrium.contracts.common import Input, Quantity


class Quota(BaseModel):
    cpu: float | None = None
    memory: int | None = None
    gpu: int | None = None
    running_jobs: int | None = None
    deployments: int | None = None
    storage_bytes: int | None = None


class QuotaUpdate(Input):
    """Any subset; an explicit ``null`` means unlimited."""

    cpu: float | None = Field(default=None, ge=0, le=1_000_000)
    memory: Quantity | None = None
    gpu: int | None = Field(default=None, ge=0, le=100_000)
    running_jobs: int | None = Field(default=None, ge=0, le=1_000_000)
    deployments: int | None = Field(default=None, ge=0, le=1_000_000)
    storage_bytes: Quantity | None = None


class UsageItem(BaseModel):
    used: float
    limit: float | None


class Usage(BaseModel):
    group: str
    user: str | None = None
    resources: dict[str, UsageItem]
