"""The executor protocol: launch, observe and kill one job attempt. Nothing else.

The server owns job state (queued -> admitted -> running -> ...); an executor only starts a
process somewhere, reports what it sees and kills on request. Executors never touch the
database. A *handle* is an opaque string the executor returns from :meth:`Executor.launch`;
the server stores it so that a restarted server can re-attach (``poll`` on a handle from a
previous server process must work, or report ``lost``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable


class ExecutorError(Exception):
    """The executor could not do what was asked (launch refused, backend unreachable, ...)."""


class UnknownHandle(ExecutorError, KeyError):
    """The handle was not issued by this executor (or is malformed)."""


@dataclass(frozen=True)
class Resources:
    """An allocation: what an instance type grants a job, or what an executor offers."""

    cpu: float
    memory_bytes: int
    gpu: int = 0

    def fits_in(self, other: Resources) -> bool:
        return (
            self.cpu <= other.cpu
            and self.memory_bytes <= other.memory_bytes
            and self.gpu <= other.gpu
        )


@dataclass(frozen=True)
class LaunchSpec:
    """One attempt of one job, fully resolved by the server.

    ``argv`` is the command (a shell string arrives as ``["/bin/sh", "-c", cmd]``). ``env`` is
    the complete set of variables Atrium adds on top of a minimal base environment (PATH,
    HOME, LANG); secrets are in it, so executors must never log it. ``workdir`` exists and is
    the process's cwd; ``log_path`` is where the executor keeps the combined stdout+stderr so
    that :meth:`Executor.read_log` can serve it (a remote executor copies its logs there).
    """

    job_id: str
    attempt: int
    argv: Sequence[str]
    env: Mapping[str, str]
    workdir: Path
    log_path: Path
    resources: Resources
    labels: Mapping[str, str] = field(default_factory=dict)


State = Literal["starting", "running", "exited", "lost"]


@dataclass(frozen=True)
class Observation:
    """What the executor sees of an attempt right now.

    ``starting``: accepted but waiting for resources (Ray); ``running``: its processes exist.
    ``exit_code`` is set once ``state == "exited"`` (negative: killed by that signal).
    ``reason`` is human-readable and set when the executor ended the process itself, e.g.
    ``"killed: memory over 4 GiB"``, when the backend says why it ended the attempt (Ray's
    ``"ray: ..."`` messages), or when the process is ``lost``; a plain exit has none.
    """

    state: State
    exit_code: int | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Sample:
    """Resource use of the attempt's whole process tree at one moment."""

    cpu_percent: float  # 100.0 == one core fully busy
    memory_bytes: int
    gpu_percent: float | None = None
    gpu_memory_bytes: int | None = None


@runtime_checkable
class Executor(Protocol):
    """Runs job attempts. Implementations: ``local`` (subprocesses), ``ray`` (Ray Jobs API)."""

    name: str

    def capacity(self) -> Resources:
        """Total resources this executor can run at once (the scheduler admits within it)."""
        ...

    def launch(self, spec: LaunchSpec) -> str:
        """Start the attempt and return its handle; never blocks until the job ends."""
        ...

    def poll(self, handle: str) -> Observation:
        """Current state; ``lost`` when the process is gone without a recorded exit."""
        ...

    def read_log(self, handle: str, offset: int, limit: int = 1 << 20) -> bytes:
        """Up to ``limit`` bytes of combined output starting at byte ``offset``."""
        ...

    def sample(self, handle: str) -> Sample | None:
        """Resource use now, or ``None`` when the attempt is not running."""
        ...

    def kill(self, handle: str) -> None:
        """Kill the whole process tree; idempotent, and a no-op on an ended attempt.

        Returns at once: the tree gets SIGTERM, then SIGKILL after a grace period, and
        ``poll`` reports ``exited`` once it is gone.
        """
        ...

    def close(self) -> None:
        """Release clients and threads; running attempts keep running."""
        ...
