"""Shared wire pieces: names, pages, the error envelope."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, StringConstraints

T = TypeVar("T")

NAME_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,62}$"
Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN, max_length=63)]
DisplayName = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]
Description = Annotated[str, StringConstraints(max_length=5000)]
Email = Annotated[
    str, StringConstraints(max_length=254, pattern=r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+$")
]
Password = Annotated[str, StringConstraints(min_length=8, max_length=1000)]
# Memory and byte quantities: an integer of bytes or a string such as "16Gi".
Quantity = Annotated[StrictInt | StrictStr, Field(union_mode="left_to_right")]


class Input(BaseModel):
    """Request bodies reject unknown fields so typos fail loudly instead of doing nothing."""

    model_config = ConfigDict(extra="forbid")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorEnvelope(BaseModel):
    error: ErrorDetail


class Health(BaseModel):
    status: str
    version: str
    database: str
