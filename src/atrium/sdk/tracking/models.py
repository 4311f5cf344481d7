"""Typed views of experiments, runs, metric histories and comparisons.

Metric values come back as floats, NaN and the infinities included (the API sends those as
the strings "NaN", "Infinity" and "-Infinity"). Metric timestamps are milliseconds since the
epoch; run times are timezone-aware datetimes.

A search page carries up to 1,000 runs with their latest metrics: thousands of objects. Runs
and metrics are therefore made by :func:`_frozen`, which fills every field at once instead of
the frozen dataclass ``__init__`` (one ``object.__setattr__`` per field, twice as slow), and a
run's metrics in one loop (:func:`_latest_metrics`) rather than two calls each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self, TypeVar

from atrium.sdk.models import Json, _dt

T = TypeVar("T")


def number(value: Any) -> float:
    """A metric value from the API: a JSON number or one of the non-finite strings."""
    return float(value)


def _frozen(cls: type[T], fields: Json) -> T:
    """What ``cls(**fields)`` makes of a frozen dataclass without ``__post_init__``, given
    every field (see the module's docstring)."""
    obj = object.__new__(cls)
    obj.__dict__.update(fields)
    return obj


@dataclass(frozen=True)
class Experiment:
    id: int
    group: str
    name: str
    description: str | None
    tags: dict[str, str]
    created_by: str | None
    created_at: datetime | None
    run_count: int
    last_run_at: datetime | None = None  # when its newest live run started

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(
            id=int(data["id"]),
            group=data["group"],
            name=data["name"],
            description=data.get("description"),
            tags=dict(data.get("tags") or {}),
            created_by=data.get("created_by"),
            created_at=_dt(data.get("created_at")),
            run_count=int(data.get("run_count", 0)),
            last_run_at=_dt(data.get("last_run_at")),
        )


@dataclass(frozen=True)
class LatestMetric:
    """A metric's latest point (greatest step, then timestamp) and its running summary."""

    value: float
    step: int
    timestamp: int
    min: float | None
    max: float | None
    count: int

    @classmethod
    def from_api(cls, data: Json) -> Self:
        """The API's metric object as it is (its keys are the fields), with non-finite values
        (strings) made floats: copying the dict whole is twice as fast as field by field."""
        metric = _frozen(cls, data)
        _as_floats(metric.__dict__)
        return metric


def _as_floats(fields: dict[str, Any]) -> None:
    """A metric's non-finite values (the API's strings) as floats; a missing min or max (older
    servers) None."""
    for name in ("value", "min", "max"):
        value = fields.setdefault(name)
        if type(value) is not float and value is not None:
            fields[name] = number(value)


def _latest_metrics(found: Json) -> dict[str, LatestMetric]:
    """What ``LatestMetric.from_api`` makes of each of a run's metrics, three times as fast: a
    page's thousands of metrics cost less in one loop than in two calls each."""
    out = {}
    new = object.__new__
    for key, data in found.items():
        metric = out[key] = new(LatestMetric)
        fields = metric.__dict__
        fields.update(data)
        try:
            finite = type(fields["value"]) is type(fields["min"]) is type(fields["max"]) is float
        except KeyError:
            finite = False
        if not finite:
            _as_floats(fields)
    return out


@dataclass(frozen=True)
class RunSource:
    type: str
    name: str | None = None
    job_id: int | None = None
    git_commit: str | None = None


@dataclass(frozen=True)
class Run:
    id: str
    name: str
    group: str
    experiment: str
    status: str
    user: str | None
    start_time: datetime | None
    end_time: datetime | None
    parent_run_id: str | None
    source: RunSource
    notes: str | None
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, LatestMetric] = field(default_factory=dict)
    inputs: list[str] = field(default_factory=list)

    @classmethod
    def from_api(cls, data: Json) -> Self:
        source = data.get("source") or {}
        fields = {
            "id": data["id"],
            "name": data["name"],
            "group": data["group"],
            "experiment": data["experiment"],
            "status": data["status"],
            "user": data.get("user"),
            "start_time": _dt(data.get("start_time")),
            "end_time": _dt(data.get("end_time")),
            "parent_run_id": data.get("parent_run_id"),
            "source": _frozen(RunSource, {
                "type": source.get("type", "other"),
                "name": source.get("name"),
                "job_id": source.get("job_id"),
                "git_commit": source.get("git_commit"),
            }),
            "notes": data.get("notes"),
            "params": dict(data.get("params") or {}),
            "tags": dict(data.get("tags") or {}),
            "metrics": _latest_metrics(data.get("metrics") or {}),
            "inputs": list(data.get("inputs") or []),
        }  # fmt: skip
        return _frozen(cls, fields)


@dataclass(frozen=True)
class MetricHistory:
    """One metric's points in step order; ``total`` counts them before downsampling."""

    run_id: str
    key: str
    total: int
    downsampled: bool
    steps: list[int]
    timestamps: list[int]
    values: list[float]

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(
            run_id=data["run_id"],
            key=data["key"],
            total=int(data["total"]),
            downsampled=bool(data["downsampled"]),
            steps=list(data["steps"]),
            timestamps=list(data["timestamps"]),
            values=[number(v) for v in data["values"]],
        )


@dataclass(frozen=True)
class RunComparison:
    """Runs side by side: every key's values line up with ``runs`` (None where unset)."""

    runs: list[Run]
    params: dict[str, list[str | None]]
    metrics: dict[str, list[float | None]]
    differing_params: list[str]

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(
            runs=[Run.from_api(r) for r in data["runs"]],
            params={k: list(v) for k, v in data["params"].items()},
            metrics={
                k: [None if v is None else number(v) for v in values]
                for k, values in data["metrics"].items()
            },
            differing_params=list(data["differing_params"]),
        )


@dataclass(frozen=True)
class Artifact:
    path: str
    size: int
    hash: str
    created_at: datetime | None

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(data["path"], int(data["size"]), data["hash"], _dt(data.get("created_at")))
