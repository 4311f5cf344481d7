"""Experiment tracking: experiments, runs, log batches, metric histories, search, compare.

Metric values are JSON numbers; NaN and the infinities travel as the strings ``"NaN"``,
``"Infinity"`` and ``"-Infinity"`` (accepted as bare ``NaN``/``Infinity`` tokens too).
Metric timestamps are integer milliseconds since the epoch, as in MLflow.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from typing_extensions import TypedDict

from atrium.contracts.common import Input

# One log-batch request at most; the SDK cuts bigger batches into several.
MAX_BATCH_POINTS = 100_000
MAX_BATCH_SERIES = 1000
MAX_BATCH_PARAMS = 1000
MAX_BATCH_TAGS = 1000
MAX_INT = 2**53 - 1  # steps and timestamps stay exact in a float64 (and in JavaScript)

RunId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
ExperimentName = Annotated[
    str, StringConstraints(min_length=1, max_length=250, pattern=r"^[^\x00-\x1f\x7f]+$")
]
RunName = Annotated[str, StringConstraints(max_length=250, pattern=r"^[^\x00-\x1f\x7f]*$")]
GitCommit = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{7,64}$")]
Status = Literal["running", "finished", "failed", "killed"]
SourceType = Literal["job", "notebook", "script", "other"]
Step = Annotated[int, Field(ge=-MAX_INT, le=MAX_INT)]
Millis = Annotated[int, Field(ge=0, le=MAX_INT)]
Notes = Annotated[str, StringConstraints(max_length=100_000)]
OrderBy = Annotated[str, StringConstraints(max_length=1000)]
RunField = Annotated[
    str,
    StringConstraints(
        max_length=260, pattern=r"^((params|metrics|tags)(\.[^\x00-\x1f\x7f]+)?|inputs)$"
    ),
]


def wire_float(value: float) -> float | str:
    """A float as JSON carries it here: itself if finite, else ``"NaN"``, ``"Infinity"`` or
    ``"-Infinity"`` (what ``ser_json_inf_nan="strings"`` writes)."""
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"


class _Floats(BaseModel):
    """Models whose floats may be NaN or infinite: JSON carries those as strings."""

    model_config = ConfigDict(ser_json_inf_nan="strings")


# ---- experiments -------------------------------------------------------------------------------


class ExperimentCreate(Input):
    name: ExperimentName
    description: str | None = Field(default=None, max_length=5000)
    tags: dict[str, str] = Field(default_factory=dict, max_length=100)


class ExperimentUpdate(Input):
    name: ExperimentName | None = None
    description: str | None = Field(default=None, max_length=5000)
    tags: dict[str, str] | None = Field(default=None, max_length=100)


class Experiment(BaseModel):
    id: int
    group: str
    name: str
    description: str | None
    tags: dict[str, str]
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    run_count: int
    last_run_at: datetime | None = Field(description="When its newest live run started")


# ---- runs --------------------------------------------------------------------------------------


class RunSource(Input):
    """Where a run came from. Inside a job the SDK fills ``type=job`` and ``job_id``."""

    type: SourceType = "other"
    name: str | None = Field(default=None, max_length=500, description="Script or notebook")
    job_id: int | None = Field(default=None, ge=1)
    git_commit: GitCommit | None = None


class RunCreate(Input):
    experiment: ExperimentName = Field(
        default="default", description="Experiment name; created on first use"
    )
    name: RunName | None = Field(default=None, description="Generated when left out")
    parent_run_id: RunId | None = None
    source: RunSource = Field(default_factory=RunSource)
    start_time: datetime | None = None
    params: dict[str, str] = Field(default_factory=dict, max_length=MAX_BATCH_PARAMS)
    tags: dict[str, str] = Field(default_factory=dict, max_length=MAX_BATCH_TAGS)
    inputs: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="Dataset versions read: group/name[@vN|:tag], pinned when the run starts",
    )


class RunUpdate(Input):
    name: RunName | None = None
    status: Status | None = None
    end_time: datetime | None = Field(
        default=None, description="Defaults to now when the status becomes terminal"
    )
    notes: Notes | None = None


# Plain dicts rather than models: a search page builds thousands of them. (typing_extensions'
# TypedDict, as Pydantic wants on Python 3.11.)
class LatestMetric(TypedDict):
    value: float
    step: int
    timestamp: int
    min: float | None
    max: float | None
    count: int


class Source(TypedDict):
    type: SourceType
    name: str | None
    job_id: int | None
    git_commit: str | None


class Run(_Floats):
    id: str
    name: str
    group: str
    experiment: str
    experiment_id: int
    status: Status
    user: str | None
    start_time: datetime
    end_time: datetime | None
    parent_run_id: str | None
    source: Source
    notes: str | None
    params: dict[str, str]
    tags: dict[str, str]
    metrics: dict[str, LatestMetric]
    inputs: list[str] = Field(description="Dataset versions the run read (lineage)")


# ---- logging -----------------------------------------------------------------------------------


class MetricSeries(Input):
    """Points of one metric, column by column; ``timestamps`` default to the server's now."""

    key: str = Field(max_length=250)
    steps: list[Step] = Field(max_length=MAX_BATCH_POINTS)
    values: list[float] = Field(max_length=MAX_BATCH_POINTS)
    timestamps: list[Millis] | None = Field(default=None, max_length=MAX_BATCH_POINTS)

    @model_validator(mode="after")
    def _same_lengths(self) -> MetricSeries:
        lengths = {len(self.steps), len(self.values)}
        if self.timestamps is not None:
            lengths.add(len(self.timestamps))
        if len(lengths) != 1:
            raise ValueError("steps, values and timestamps must have the same length")
        return self


class LogBatch(Input):
    params: dict[str, str] = Field(default_factory=dict, max_length=MAX_BATCH_PARAMS)
    tags: dict[str, str] = Field(default_factory=dict, max_length=MAX_BATCH_TAGS)
    metrics: list[MetricSeries] = Field(default_factory=list, max_length=MAX_BATCH_SERIES)

    @model_validator(mode="after")
    def _bounded(self) -> LogBatch:
        points = sum(len(m.values) for m in self.metrics)
        if points > MAX_BATCH_POINTS:
            raise ValueError(
                f"{points} metric points in one batch; the limit is {MAX_BATCH_POINTS}: "
                "send several batches"
            )
        return self


class Logged(BaseModel):
    params: int
    tags: int
    points: int


class MetricHistory(_Floats):
    run_id: str
    key: str
    total: int = Field(description="Points in the requested step range before downsampling")
    downsampled: bool
    steps: list[int]
    timestamps: list[int]
    values: list[float]


# ---- search and compare ------------------------------------------------------------------------


class RunSearch(Input):
    experiments: list[ExperimentName] | None = Field(
        default=None, max_length=100, description="Experiment names; all of the group's if unset"
    )
    filter: str = Field(default="", max_length=10_000)
    order_by: list[OrderBy] = Field(default_factory=list, max_length=10)
    limit: int = Field(default=100, ge=1, le=1000)
    cursor: str | None = Field(default=None, max_length=500)
    fields: list[RunField] | None = Field(
        default=None,
        max_length=100,
        description="What each run carries besides its attributes: `params`, `metrics`, "
        "`tags`, `inputs`, or single keys (`metrics.acc`); everything if unset",
    )


class RunComparison(_Floats):
    """Runs side by side: each key's values are aligned with ``runs`` (None where unset)."""

    runs: list[Run]
    params: dict[str, list[str | None]]
    metrics: dict[str, list[float | None]]
    differing_params: list[str]


class Artifact(BaseModel):
    path: str
    size: int
    hash: str
    created_at: datetime
