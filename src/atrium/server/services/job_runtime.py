"""How attempts run on this server: the executor, where attempts live, what jobs are told."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from atrium.server.backends.executors.base import Executor


@dataclass(frozen=True)
class JobRuntime:
    executor: Executor
    jobs_root: Path
    #: ATRIUM_URL inside jobs: how a job's SDK reaches this hub.
    public_url: str
    #: Named environments are virtualenvs ``<root>/<name>``; None: only the server's Python.
    environments_root: Path | None = None
    #: Seconds between resource samples of a running attempt.
    sample_interval: float = 5.0
    #: An attempt admitted this long ago without a handle lost its launcher (another replica
    #: crashed between admitting and launching it).
    launch_grace: float = 600.0
    #: Queued jobs per group an admission pass looks at; the rest wait their turn.
    queue_window: int = 50
