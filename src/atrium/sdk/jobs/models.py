"""Typed views of jobs, their attempts, artifacts and resource samples."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self

from atrium.sdk.models import Json, _dt

#: The states a job does not leave.
TERMINAL = frozenset({"succeeded", "failed", "cancelled", "timed_out"})


@dataclass(frozen=True)
class JobAttempt:
    """One launch of a job; a job with retries has several."""

    number: int
    status: str
    reason: str | None
    executor: str
    exit_code: int | None
    cpu: float
    memory: int
    gpu: int
    admitted_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    log_bytes: int

    @classmethod
    def from_api(cls, data: Json) -> Self:
        resources = data.get("resources") or {}
        return cls(
            number=int(data["number"]),
            status=data["status"],
            reason=data.get("reason"),
            executor=data.get("executor", ""),
            exit_code=data.get("exit_code"),
            cpu=resources.get("cpu", 0),
            memory=resources.get("memory", 0),
            gpu=resources.get("gpu", 0),
            admitted_at=_dt(data.get("admitted_at")),
            started_at=_dt(data.get("started_at")),
            ended_at=_dt(data.get("ended_at")),
            log_bytes=int(data.get("log_bytes") or 0),
        )


@dataclass(frozen=True)
class Job:
    """A job: what it runs and where it is (``status`` and the human-readable ``reason``)."""

    id: int
    group: str
    name: str
    status: str
    reason: str | None
    command: str | list[str]
    instance_type: str
    cpu: float
    memory: int
    gpu: int
    env: dict[str, str]
    secrets: list[str]
    inputs: dict[str, str]
    resolved_inputs: dict[str, str]
    working_dir: str | None
    environment: str | None
    timeout_seconds: int | None
    max_retries: int
    priority: int
    exit_code: int | None
    cancel_requested: bool
    rerun_of: int | None
    created_by: str | None
    created_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    attempts: list[JobAttempt] = field(default_factory=list)
    run_id: str | None = None  # the job's run, created when it first starts
    experiment: str | None = None

    @property
    def done(self) -> bool:
        """True once the job ended (succeeded, failed, cancelled or timed out)."""
        return self.status in TERMINAL

    @classmethod
    def from_api(cls, data: Json) -> Self:
        resources = data.get("resources") or {}
        return cls(
            id=int(data["id"]),
            group=data["group"],
            name=data["name"],
            status=data["status"],
            reason=data.get("reason"),
            command=data["command"],
            instance_type=data["instance_type"],
            cpu=resources.get("cpu", 0),
            memory=resources.get("memory", 0),
            gpu=resources.get("gpu", 0),
            env=dict(data.get("env") or {}),
            secrets=list(data.get("secrets") or []),
            inputs=dict(data.get("inputs") or {}),
            resolved_inputs=dict(data.get("resolved_inputs") or {}),
            working_dir=data.get("working_dir"),
            environment=data.get("environment"),
            timeout_seconds=data.get("timeout_seconds"),
            max_retries=int(data.get("max_retries") or 0),
            priority=int(data.get("priority") or 0),
            exit_code=data.get("exit_code"),
            cancel_requested=bool(data.get("cancel_requested")),
            rerun_of=data.get("rerun_of"),
            created_by=data.get("created_by"),
            created_at=_dt(data.get("created_at")),
            started_at=_dt(data.get("started_at")),
            ended_at=_dt(data.get("ended_at")),
            attempts=[JobAttempt.from_api(a) for a in data.get("attempts") or []],
            run_id=data.get("run_id"),
            experiment=data.get("experiment"),
        )


@dataclass(frozen=True)
class Artifact:
    """A file the job left in ``$ATRIUM_ARTIFACTS_DIR``."""

    path: str
    size: int
    hash: str
    attempt: int

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(data["path"], int(data["size"]), data["hash"], int(data["attempt"]))


@dataclass(frozen=True)
class ResourceSample:
    """CPU (100 = one core), memory and GPU use of an attempt's processes at one moment."""

    attempt: int
    time: datetime | None
    cpu_percent: float
    memory_bytes: int
    gpu_percent: float | None
    gpu_memory_bytes: int | None

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(
            attempt=int(data["attempt"]),
            time=_dt(data.get("time")),
            cpu_percent=float(data.get("cpu_percent") or 0),
            memory_bytes=int(data.get("memory_bytes") or 0),
            gpu_percent=data.get("gpu_percent"),
            gpu_memory_bytes=data.get("gpu_memory_bytes"),
        )


@dataclass(frozen=True)
class LogChunk:
    """Log text from ``offset``; read on from ``next_offset``; ``ended`` once nothing follows."""

    text: str
    offset: int
    next_offset: int
    ended: bool
    attempt: int | None


JobSpec = dict[str, Any]
