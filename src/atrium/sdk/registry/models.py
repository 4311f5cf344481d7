"""Typed views of registered models, versions, files, aliases, alias moves and lineage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self

from atrium.sdk.models import Json, _dt


@dataclass(frozen=True)
class RegisteredModel:
    id: int
    group: str
    name: str
    description: str | None
    tags: dict[str, str]
    aliases: dict[str, int]
    latest_version: int | None
    version_count: int
    created_by: str | None
    created_at: datetime | None

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(
            id=int(data["id"]),
            group=data["group"],
            name=data["name"],
            description=data.get("description"),
            tags=dict(data.get("tags") or {}),
            aliases={k: int(v) for k, v in (data.get("aliases") or {}).items()},
            latest_version=data.get("latest_version"),
            version_count=int(data.get("version_count", 0)),
            created_by=data.get("created_by"),
            created_at=_dt(data.get("created_at")),
        )


@dataclass(frozen=True)
class ModelVersion:
    model: str
    group: str
    version: int
    status: str
    description: str | None
    tags: dict[str, str]
    flavors: list[str]
    signature: dict[str, Any] | None
    input_example_path: str | None
    metrics: dict[str, float]
    run_id: str | None
    source: str
    aliases: list[str]
    file_count: int
    size: int
    created_by: str | None
    created_at: datetime | None

    @property
    def ref(self) -> str:
        """``models:/<name>/<version>``: this version, whatever its aliases do later."""
        return f"models:/{self.model}/{self.version}"

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(
            model=data["model"],
            group=data["group"],
            version=int(data["version"]),
            status=data["status"],
            description=data.get("description"),
            tags=dict(data.get("tags") or {}),
            flavors=list(data.get("flavors") or []),
            signature=data.get("signature"),
            input_example_path=data.get("input_example_path"),
            metrics={k: float(v) for k, v in (data.get("metrics") or {}).items()},
            run_id=data.get("run_id"),
            source=data.get("source", ""),
            aliases=list(data.get("aliases") or []),
            file_count=int(data.get("file_count", 0)),
            size=int(data.get("size", 0)),
            created_by=data.get("created_by"),
            created_at=_dt(data.get("created_at")),
        )


@dataclass(frozen=True)
class ModelFile:
    path: str
    size: int
    hash: str

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(path=data["path"], size=int(data["size"]), hash=data["hash"])


@dataclass(frozen=True)
class ModelAlias:
    model: str
    alias: str
    version: int
    updated_by: str | None
    updated_at: datetime | None

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(
            model=data["model"],
            alias=data["alias"],
            version=int(data["version"]),
            updated_by=data.get("updated_by"),
            updated_at=_dt(data.get("updated_at")),
        )


@dataclass(frozen=True)
class AliasMove:
    """One alias change: set (``from_version`` None), moved, or removed (``to_version`` None)."""

    alias: str
    from_version: int | None
    to_version: int | None
    user: str | None
    created_at: datetime | None

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(
            alias=data["alias"],
            from_version=data.get("from_version"),
            to_version=data.get("to_version"),
            user=data.get("user"),
            created_at=_dt(data.get("created_at")),
        )


@dataclass(frozen=True)
class Lineage:
    """Version -> run -> job -> environment, and the dataset versions the run read. ``run``
    and ``job`` are the API's JSON objects (None when the version was uploaded)."""

    model: str
    version: int
    run: dict[str, Any] | None
    job: dict[str, Any] | None
    environment: str | None
    datasets: list[str]

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(
            model=data["model"],
            version=int(data["version"]),
            run=data.get("run"),
            job=data.get("job"),
            environment=data.get("environment"),
            datasets=list(data.get("datasets") or []),
        )
