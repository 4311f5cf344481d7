"""Jobs: a command run on an instance type, queued under quota; its attempts, logs, artifacts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, field_validator

from atrium.contracts.common import Input, Name
from atrium.contracts.tracking import ExperimentName

JobStatus = Literal[
    "queued", "admitted", "running", "succeeded", "failed", "cancelled", "timed_out"
]

#: The whole command line, however it is given: bigger is refused (argv limits are ~128 KiB).
MAX_COMMAND_BYTES = 64 * 1024
ENV_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,127}$"
EnvName = Annotated[str, StringConstraints(pattern=ENV_NAME_PATTERN)]
# No NUL: the kernel cannot pass it in an argument or an environment value.
Text = Annotated[str, StringConstraints(max_length=MAX_COMMAND_BYTES, pattern=r"^[^\x00]*$")]
DatasetRef = Annotated[
    str,
    StringConstraints(
        max_length=200, pattern=r"^[a-z0-9][a-z0-9_.-]*/[a-z0-9][a-z0-9_.-]*([@:][^/\s]+)?$"
    ),
]
RESERVED_ENV_PREFIX = "ATRIUM_"


class JobSubmit(Input):
    """What to run. ``command`` is a shell string (run by ``/bin/sh -c``) or an argv list."""

    name: Name = "job"
    command: Text | list[Text] = Field(description="Shell string, or argv list")
    instance_type: Name = "cpu-1"
    env: dict[EnvName, Text] = Field(default_factory=dict, max_length=500)
    secrets: list[EnvName] = Field(
        default_factory=list, max_length=100, description="Names of group secrets to inject"
    )
    inputs: dict[EnvName, DatasetRef] = Field(
        default_factory=dict,
        max_length=50,
        description="NAME -> group/dataset[@vN|:tag]; mounted read-only at $ATRIUM_DATA_<NAME>",
    )
    working_dir: str | None = Field(
        default=None, max_length=1024, description="Relative to the job's work directory"
    )
    environment: Name | None = Field(
        default=None, description="A virtualenv under the server's environments root"
    )
    timeout_seconds: int | None = Field(default=None, ge=1, le=30 * 86400)
    max_retries: int = Field(default=0, ge=0, le=10)
    priority: int = Field(default=0, ge=-1000, le=1000)
    experiment: ExperimentName | None = Field(
        default=None, description="Experiment of the job's run (default: jobs)"
    )

    @field_validator("command")
    @classmethod
    def _command_size(cls, value: str | list[str]) -> str | list[str]:
        parts = [value] if isinstance(value, str) else value
        if not parts or not parts[0].strip():
            raise ValueError("the command is empty")
        if sum(len(p.encode()) + 1 for p in parts) > MAX_COMMAND_BYTES:
            raise ValueError(f"the command line is longer than {MAX_COMMAND_BYTES} bytes")
        return value

    @field_validator("env")
    @classmethod
    def _env_names(cls, value: dict[str, str]) -> dict[str, str]:
        reserved = sorted(k for k in value if k.upper().startswith(RESERVED_ENV_PREFIX))
        if reserved:
            raise ValueError(f"{', '.join(reserved)}: ATRIUM_* variables are set by Atrium")
        if sum(len(k) + len(v.encode()) for k, v in value.items()) > 4 * MAX_COMMAND_BYTES:
            raise ValueError("the environment is larger than 256 KiB")
        return value


class Resources(BaseModel):
    cpu: float
    memory: int
    gpu: int


class JobAttempt(BaseModel):
    number: int
    status: JobStatus
    reason: str | None
    executor: str
    exit_code: int | None
    resources: Resources
    admitted_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    log_bytes: int


class Job(BaseModel):
    id: int
    group: str
    name: str
    status: JobStatus
    reason: str | None
    command: str | list[str]
    instance_type: str
    resources: Resources
    env: dict[str, str]
    secrets: list[str]
    inputs: dict[str, str] = Field(description="As submitted")
    resolved_inputs: dict[str, str] = Field(description="Pinned at submit: group/name@vN")
    working_dir: str | None
    environment: str | None
    timeout_seconds: int | None
    max_retries: int
    priority: int
    exit_code: int | None
    cancel_requested: bool
    rerun_of: int | None
    run_id: str | None = Field(description="The job's run (created when it first starts)")
    experiment: str | None
    created_by: str | None
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    attempts: list[JobAttempt]


class Artifact(BaseModel):
    path: str
    size: int
    hash: str
    attempt: int


class ResourceSample(BaseModel):
    attempt: int
    time: datetime
    cpu_percent: float
    memory_bytes: int
    gpu_percent: float | None
    gpu_memory_bytes: int | None
