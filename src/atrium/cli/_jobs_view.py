"""Tables and detail views of jobs for ``atrium jobs``."""

from __future__ import annotations

import shlex

from rich.console import Group, RenderableType
from rich.text import Text

from atrium.cli._output import details, fmt_bytes, fmt_number, table
from atrium.sdk.jobs import Artifact, Job

STATUS_STYLE = {
    "succeeded": "green",
    "failed": "red",
    "timed_out": "red",
    "cancelled": "yellow",
    "running": "cyan",
}


def _status(job_status: str) -> Text:
    return Text(job_status, style=STATUS_STYLE.get(job_status, ""))


def _command(command: str | list[str]) -> str:
    return command if isinstance(command, str) else shlex.join(command)


def render_jobs(jobs: list[Job]) -> RenderableType:
    rows = [
        (j.id, j.name, _status(j.status), j.reason, j.instance_type, j.created_by, j.created_at)
        for j in jobs
    ]
    return table(["ID", "NAME", "STATUS", "REASON", "TYPE", "BY", "SUBMITTED"], rows)


def render_job(job: Job) -> RenderableType:
    view = details(
        [
            ("Job", f"{job.id} ({job.group})"),
            ("Name", job.name),
            ("Status", _status(job.status)),
            ("Reason", job.reason),
            ("Command", _command(job.command)),
            (
                "Instance type",
                f"{job.instance_type}: {fmt_number(job.cpu)} CPU, "
                f"{fmt_bytes(job.memory)}, {job.gpu} GPU",
            ),
            ("Inputs", [f"{k}={v}" for k, v in job.resolved_inputs.items()]),
            ("Run", f"{job.run_id} (experiment {job.experiment})" if job.run_id else None),
            ("Secrets", job.secrets),
            ("Priority", job.priority),
            ("Timeout", f"{job.timeout_seconds} s" if job.timeout_seconds else None),
            ("Retries", job.max_retries),
            ("Exit code", job.exit_code),
            ("Submitted", job.created_at),
            ("By", job.created_by),
            ("Started", job.started_at),
            ("Ended", job.ended_at),
        ]
    )
    if not job.attempts:
        return view
    rows = [
        (a.number, _status(a.status), a.reason, a.exit_code, a.started_at, a.ended_at)
        for a in job.attempts
    ]
    attempts = table(["ATTEMPT", "STATUS", "REASON", "EXIT", "STARTED", "ENDED"], rows)
    return Group(view, attempts)


def render_artifacts(items: list[Artifact]) -> RenderableType:
    return table(
        ["PATH", "SIZE", "ATTEMPT"], [(a.path, fmt_bytes(a.size), a.attempt) for a in items]
    )
