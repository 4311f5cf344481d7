"""Model registry: registered models, their versions, files, aliases, refs and lineage.

A model ref names one version of a group's model: ``models:/name/3`` (a number),
``models:/name@production`` (an alias) or ``models:/name/latest`` (the newest ready version).
:func:`parse_model_ref` is the one parser of that syntax, shared by the SDK and the server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from atrium.contracts.common import Input

REF_PREFIX = "models:/"
# No '/', '\', '@', '?', '#', '%' or control characters: a name is one segment of a URL and
# of a ref (``models:/name@alias``). '.' and '..' are refused by the server.
MODEL_NAME_PATTERN = r"^[^\x00-\x1f\x7f/\\@?#%]{1,250}$"
ALIAS_PATTERN = r"^[A-Za-z0-9_-]{1,255}$"

ModelName = Annotated[str, StringConstraints(pattern=MODEL_NAME_PATTERN, max_length=250)]
AliasName = Annotated[str, StringConstraints(pattern=ALIAS_PATTERN, max_length=255)]
VersionStatus = Literal["pending", "ready"]
ArtifactPrefix = Annotated[str, StringConstraints(max_length=1024)]
FilePath = Annotated[str, StringConstraints(max_length=1024)]
Tags = Annotated[dict[str, str], Field(max_length=100)]

_REF = re.compile(r"^models:/(?P<name>[^/@]+)(?:/(?P<version>[^/@]+)|@(?P<alias>[^/@]+))$")


@dataclass(frozen=True)
class ModelRef:
    """A parsed ref: exactly one of ``version``, ``alias`` or ``latest`` is set."""

    name: str
    version: int | None = None
    alias: str | None = None
    latest: bool = False

    def __str__(self) -> str:
        if self.alias is not None:
            return f"{REF_PREFIX}{self.name}@{self.alias}"
        return f"{REF_PREFIX}{self.name}/{'latest' if self.latest else self.version}"


def parse_model_ref(ref: str) -> ModelRef:
    """Parse ``models:/name/3``, ``models:/name@alias`` or ``models:/name/latest``.

    Raises ValueError with a message that says what a ref looks like.
    """
    found = _REF.fullmatch(ref.strip()) if len(ref) <= 600 else None
    if found is None:
        raise ValueError(
            f"invalid model ref {ref[:200]!r}: use models:/<name>/<version>, "
            "models:/<name>@<alias> or models:/<name>/latest"
        )
    name, version, alias = found["name"], found["version"], found["alias"]
    if alias is not None:
        if not re.fullmatch(ALIAS_PATTERN, alias):
            raise ValueError(f"invalid alias {alias!r} in model ref {ref!r}")
        return ModelRef(name=name, alias=alias)
    if version == "latest":
        return ModelRef(name=name, latest=True)
    if version is None or not version.isdigit() or int(version) < 1:
        raise ValueError(
            f"invalid version {version!r} in model ref {ref!r}: a number from 1, or 'latest'"
        )
    return ModelRef(name=name, version=int(version))


# ---- registered models -------------------------------------------------------------------------


class ModelCreate(Input):
    name: ModelName
    description: str | None = Field(default=None, max_length=5000)
    tags: Tags = Field(default_factory=dict)


class ModelUpdate(Input):
    name: ModelName | None = Field(default=None, description="Rename the model")
    description: str | None = Field(default=None, max_length=5000)


class TagSet(Input):
    key: str = Field(min_length=1, max_length=250)
    value: str = Field(max_length=8000)


class RegisteredModel(BaseModel):
    id: int
    group: str
    name: str
    description: str | None
    tags: dict[str, str]
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    aliases: dict[str, int] = Field(description="Alias -> version number")
    latest_version: int | None = Field(description="The newest ready version")
    version_count: int = Field(description="Live versions, pending ones included")


# ---- versions ----------------------------------------------------------------------------------


class VersionSource(Input):
    """Register the artifacts of a run under ``path`` (a directory or one file) by reference."""

    run_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
    path: ArtifactPrefix = Field(default="", description="Artifact directory; '' for all")


class VersionCreate(Input):
    """From a run (``source``): ready at once. Without a source: ``pending`` until its files
    are uploaded and it is finalized. Flavors, signature and input example are read from an
    MLflow ``MLmodel`` file among the files when not given."""

    source: VersionSource | None = None
    description: str | None = Field(default=None, max_length=5000)
    tags: Tags = Field(default_factory=dict)
    flavors: list[Annotated[str, StringConstraints(max_length=100)]] | None = Field(
        default=None, max_length=20
    )
    signature: dict[str, Any] | None = None
    input_example_path: FilePath | None = None


class VersionUpdate(Input):
    description: str | None = Field(default=None, max_length=5000)


class ModelVersion(BaseModel):
    model_config = ConfigDict(ser_json_inf_nan="strings")

    model: str
    group: str
    version: int
    status: VersionStatus
    description: str | None
    tags: dict[str, str]
    flavors: list[str]
    signature: dict[str, Any] | None
    input_example_path: str | None
    metrics: dict[str, float] = Field(description="The source run's latest metrics when made")
    run_id: str | None
    source_path: str | None = Field(description="Artifact path in the source run")
    source: str = Field(description="runs:/<id>/<path> for a run's artifacts, else 'upload'")
    aliases: list[str]
    file_count: int
    size: int
    created_by: str | None
    created_at: datetime
    updated_at: datetime


class ModelFile(BaseModel):
    path: str
    size: int
    hash: str


# ---- aliases -----------------------------------------------------------------------------------


class AliasSet(Input):
    version: int = Field(ge=1, le=2**31 - 1)


class ModelAlias(BaseModel):
    model: str
    alias: str
    version: int
    updated_by: str | None
    updated_at: datetime


class AliasMove(BaseModel):
    """One change of an alias: set (from None), moved, or deleted (to None)."""

    alias: str
    from_version: int | None
    to_version: int | None
    user: str | None
    created_at: datetime


# ---- lineage -----------------------------------------------------------------------------------


class LineageRun(BaseModel):
    model_config = ConfigDict(ser_json_inf_nan="strings")

    id: str
    name: str
    experiment: str
    status: str
    deleted: bool
    params: dict[str, str]
    metrics: dict[str, float] = Field(description="The version's snapshot of the run's metrics")


class LineageJob(BaseModel):
    id: int
    name: str
    command: str | list[str] | None
    instance_type: str
    status: str


class Lineage(BaseModel):
    """Version -> run -> job -> environment, and the dataset versions the run read."""

    model: str
    version: int
    run: LineageRun | None
    job: LineageJob | None
    environment: str | None = Field(description="The job's named environment; None: server's")
    datasets: list[str] = Field(description="Dataset versions read, as group/name@vN")
