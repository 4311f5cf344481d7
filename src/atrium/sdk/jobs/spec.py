"""The body of a job submission, shared by ``client.jobs.submit`` and schedules' templates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from atrium.sdk.resources._base import compact


def job_template(
    command: str | Sequence[str],
    *,
    name: str | None = None,
    instance_type: str | None = None,
    env: Mapping[str, str] | None = None,
    secrets: Sequence[str] | None = None,
    inputs: Mapping[str, str] | None = None,
    working_dir: str | None = None,
    environment: str | None = None,
    timeout_seconds: int | None = None,
    max_retries: int | None = None,
    priority: int | None = None,
    experiment: str | None = None,
) -> dict[str, Any]:
    """A job spec with the fields of ``client.jobs.submit``; unset fields get the server's
    defaults. In a schedule's template, inputs given as a tag (``group/name:latest``) are
    pinned again at each run."""
    return compact(
        command=command if isinstance(command, str) else list(command),
        name=name,
        instance_type=instance_type,
        env=dict(env) if env else None,
        secrets=list(secrets) if secrets else None,
        inputs=dict(inputs) if inputs else None,
        working_dir=working_dir,
        environment=environment,
        timeout_seconds=timeout_seconds,
        max_retries=max_retries,
        priority=priority,
        experiment=experiment,
    )
