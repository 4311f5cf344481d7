"""Instance types: admin-defined resource shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from atrium.contracts.common import Description, DisplayName, Input, Name, Quantity


class InstanceType(BaseModel):
    name: str
    display_name: str | None
    description: str | None
    cpu: float
    memory: int
    gpu: int
    is_global: bool
    groups: list[str]
    created_at: datetime


class InstanceTypeCreate(Input):
    name: Name
    display_name: DisplayName | None = None
    description: Description | None = None
    cpu: float = Field(gt=0, le=10_000)
    memory: Quantity
    gpu: int = Field(default=0, ge=0, le=1_000)
    is_global: bool = True
    groups: list[Name] = Field(default_factory=list, max_length=1000)


class InstanceTypeUpdate(Input):
    display_name: DisplayName | None = None
    description: Description | None = None
    cpu: float | None = Field(default=None, gt=0, le=10_000)
    memory: Quantity | None = None
    gpu: int | None = Field(default=None, ge=0, le=1_000)
    is_global: bool | None = None
    groups: list[Name] | None = Field(default=None, max_length=1000)
