"""The job state machine, its reasons, and the pure rules around a job's spec."""

from __future__ import annotations

import enum
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass

from atrium.server.domain.errors import Conflict, InvalidInput

_REF = re.compile(r"^(?P<group>[^/@:\s]+)/(?P<name>[^/@:\s]+)(?:(?P<sep>[@:])(?P<ref>[^/\s]+))?$")


class JobState(enum.StrEnum):
    QUEUED = "queued"
    ADMITTED = "admitted"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL


TERMINAL = frozenset({JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED, JobState.TIMED_OUT})
ACTIVE = frozenset({JobState.ADMITTED, JobState.RUNNING})

# Which state may follow which; anything else is a bug in the caller, not a user error.
TRANSITIONS: Mapping[JobState, frozenset[JobState]] = {
    JobState.QUEUED: frozenset({JobState.ADMITTED, JobState.CANCELLED}),
    JobState.ADMITTED: frozenset({JobState.RUNNING, *TERMINAL, JobState.QUEUED}),
    JobState.RUNNING: frozenset({*TERMINAL, JobState.QUEUED}),
}


def check_transition(current: str, new: JobState) -> None:
    allowed = TRANSITIONS.get(JobState(current), frozenset())
    if new not in allowed:
        raise Conflict(f"a {current} job cannot become {new.value}")


@dataclass(frozen=True)
class InputRef:
    """``group/name`` plus a version ref: ``v3``, a tag, or ``latest``."""

    group: str
    name: str
    ref: str

    def pinned(self, number: int) -> str:
        return f"{self.group}/{self.name}@v{number}"


def parse_input(spec: str) -> InputRef:
    match = _REF.match(spec)
    if match is None:
        raise InvalidInput(f"{spec!r} is not a dataset version: use group/name[@vN|:tag]")
    ref = match.group("ref") or "latest"
    if match.group("sep") == "@" and ref.isdigit():
        ref = f"v{ref}"
    return InputRef(match.group("group"), match.group("name"), ref)


def input_env_name(name: str) -> str:
    return f"ATRIUM_DATA_{name.upper()}"


def check_working_dir(value: str | None) -> str | None:
    """A relative path that stays inside the attempt's work directory."""
    if value is None or value in ("", "."):
        return None
    normal = posixpath.normpath(value)
    if posixpath.isabs(value) or normal == ".." or normal.startswith("../") or "\x00" in value:
        raise InvalidInput(
            f"working_dir {value!r} must be a relative path inside the job's work directory",
            {"field": "working_dir"},
        )
    return normal


def argv(command: str | list[str]) -> list[str]:
    """A shell string runs under ``/bin/sh -c``; an argv list runs as it is."""
    return ["/bin/sh", "-c", command] if isinstance(command, str) else list(command)


def exit_reason(exit_code: int | None, executor_reason: str | None) -> str | None:
    """Why an attempt that ended on its own failed; None when it succeeded."""
    if executor_reason:
        return executor_reason
    if exit_code is None or exit_code == 0:
        return None
    if exit_code < 0:
        return f"killed by signal {-exit_code}"
    return f"exit code {exit_code}"


RESOURCE_LABELS = {
    "cpu": "CPU",
    "memory": "memory",
    "gpu": "GPU",
    "running_jobs": "running jobs",
}


def fmt_amount(resource: str, value: float) -> str:
    if resource == "memory":
        return f"{value / 2**30:g} GiB"
    return f"{value:g}"
