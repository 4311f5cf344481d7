"""Functions the SDK tests run as jobs (a job imports them by module, as pickle does)."""

from __future__ import annotations

import os


def add(a: int, b: int, *, times: int = 1) -> int:
    return (a + b) * times


def fail(message: str) -> None:
    raise ValueError(message)


def my_jobs() -> tuple[str, list[str]]:
    """Uses the SDK from inside the job: ATRIUM_URL and the job's token are set for it."""
    from atrium import Client

    group = os.environ["ATRIUM_GROUP"]
    with Client() as client:
        return group, [job.name for job in client.jobs.list(group)]
