"""``atrium jobs``: submit commands to run under the group's quota; follow, wait, fetch results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from atrium.cli._common import JsonOpt, client, parse_pairs
from atrium.cli._jobs_view import render_artifacts, render_job, render_jobs
from atrium.cli._output import done, emit, print_json
from atrium.sdk.jobs import Job

app = typer.Typer(
    help="Run commands as queued jobs under the group's quota; logs, artifacts, retries.",
    no_args_is_help=True,
)
GroupArg = Annotated[str, typer.Argument(help="The group the job belongs to.")]
JobArg = Annotated[int, typer.Argument(help="The job's id (see `atrium jobs list`).")]
AttemptOpt = Annotated[
    int | None, typer.Option("--attempt", min=1, help="Attempt number (default: the latest).")
]
STATUSES = ["queued", "admitted", "running", "succeeded", "failed", "cancelled", "timed_out"]


CommandArg = Annotated[
    list[str],
    typer.Argument(
        help="After `--`: one argument runs as a shell command line (pipes, $VARS); "
        "several run as they are (argv).",
        show_default=False,
    ),
]
NameOpt = Annotated[str | None, typer.Option("--name", help="A name for the job.")]
TypeOpt = Annotated[str | None, typer.Option("--instance-type", "-t", help="Default: cpu-1.")]
EnvOpt = Annotated[
    list[str] | None, typer.Option("--env", "-e", help="K=V environment variable (repeat).")
]
SecretOpt = Annotated[
    list[str] | None,
    typer.Option("--secret", "-s", help="A group secret to set as an env var (repeat)."),
]
InputOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--input",
        "-i",
        help="NAME=GROUP/DATASET, optionally @vN or :TAG; mounted read-only at "
        "$ATRIUM_DATA_<NAME> (repeat).",
    ),
]
WorkdirOpt = Annotated[str | None, typer.Option("--workdir", help="Relative working directory.")]
EnvironmentOpt = Annotated[
    str | None, typer.Option("--environment", help="A named environment of the server.")
]
TimeoutOpt = Annotated[
    int | None, typer.Option("--timeout", min=1, help="Kill after this many seconds.")
]
RetriesOpt = Annotated[
    int | None, typer.Option("--retries", min=0, help="Attempts after a failure.")
]
PriorityOpt = Annotated[
    int | None, typer.Option("--priority", help="Higher runs first within the group.")
]
ExperimentOpt = Annotated[
    str | None, typer.Option("--experiment", help="Experiment of the job's run (default: jobs).")
]
WaitOpt = Annotated[bool, typer.Option("--wait", help="Wait for the job to end.")]


@app.command("submit")
def submit_job(
    ctx: typer.Context,
    group: GroupArg,
    command: CommandArg,
    name: NameOpt = None,
    instance_type: TypeOpt = None,
    env: EnvOpt = None,
    secret: SecretOpt = None,
    input_: InputOpt = None,
    workdir: WorkdirOpt = None,
    environment: EnvironmentOpt = None,
    timeout: TimeoutOpt = None,
    retries: RetriesOpt = None,
    priority: PriorityOpt = None,
    experiment: ExperimentOpt = None,
    wait: WaitOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Queue a command, e.g. `atrium jobs submit ml -e LR=0.1 -- python train.py`."""
    jobs = client(ctx).jobs
    job = jobs.submit(
        group,
        command[0] if len(command) == 1 else command,
        name=name,
        instance_type=instance_type,
        env=parse_pairs(env, "--env"),
        secrets=secret,
        inputs=parse_pairs(input_, "--input"),
        working_dir=workdir,
        environment=environment,
        timeout_seconds=timeout,
        max_retries=retries,
        priority=priority,
        experiment=experiment,
    )
    if wait:
        job = jobs.wait(group, job.id)
    emit(job, as_json, render_job)
    _exit_for(job, wait)


def _exit_for(job: Job, waited: bool) -> None:
    """After a wait, the exit status says whether the job succeeded (for scripts)."""
    if waited and job.status != "succeeded":
        raise typer.Exit(1)


@app.command("list")
def list_jobs(
    ctx: typer.Context,
    group: GroupArg,
    status: Annotated[
        list[str] | None,
        typer.Option("--status", help=f"Only these states (repeat): {', '.join(STATUSES)}."),
    ] = None,
    mine: Annotated[bool, typer.Option("--mine", help="Only jobs you submitted.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="How many.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """List a group's jobs, newest first."""
    page = client(ctx).jobs.list(group, status=status, mine=mine, limit=limit)
    emit(page.items, as_json, render_jobs)


@app.command("get")
def get_job(ctx: typer.Context, group: GroupArg, job_id: JobArg, as_json: JsonOpt = False) -> None:
    """Show a job: its state and why, its attempts and resources."""
    emit(client(ctx).jobs.get(group, job_id), as_json, render_job)


@app.command("logs")
def job_logs(
    ctx: typer.Context,
    group: GroupArg,
    job_id: JobArg,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing until the attempt ends.")
    ] = False,
    attempt: AttemptOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print a job's log (combined stdout and stderr)."""
    jobs = client(ctx).jobs
    if not follow:
        text = jobs.logs(group, job_id, attempt=attempt)
        if as_json:
            print_json({"job": job_id, "attempt": attempt, "text": text})
        else:
            typer.echo(text, nl=False)
        return
    for text in jobs.follow_logs(group, job_id, attempt=attempt):
        if as_json:  # one JSON object per line, as the text arrives
            typer.echo(_json_line(text))
        else:
            typer.echo(text, nl=False)


def _json_line(text: str) -> str:
    return json.dumps({"text": text}, ensure_ascii=False)


@app.command("wait")
def wait_job(
    ctx: typer.Context,
    group: GroupArg,
    job_id: JobArg,
    timeout: Annotated[
        float | None, typer.Option("--timeout", min=0, help="Give up after this many seconds.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Wait for a job to end; exits 1 unless it succeeded (2 on timeout)."""
    try:
        job = client(ctx).jobs.wait(group, job_id, timeout=timeout)
    except TimeoutError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(2) from exc
    emit(job, as_json, render_job)
    _exit_for(job, waited=True)


@app.command("cancel")
def cancel_job(
    ctx: typer.Context, group: GroupArg, job_id: JobArg, as_json: JsonOpt = False
) -> None:
    """Cancel a job: a queued one at once, a running one by killing its process tree."""
    emit(client(ctx).jobs.cancel(group, job_id), as_json, render_job)


@app.command("rerun")
def rerun_job(
    ctx: typer.Context, group: GroupArg, job_id: JobArg, as_json: JsonOpt = False
) -> None:
    """Submit a job again: same command and settings, same dataset versions."""
    emit(client(ctx).jobs.rerun(group, job_id), as_json, render_job)


@app.command("artifacts")
def job_artifacts(
    ctx: typer.Context,
    group: GroupArg,
    job_id: JobArg,
    download: Annotated[
        Path | None,
        typer.Option("--download", "-d", help="Save them all under this directory."),
    ] = None,
    attempt: AttemptOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the files a job left in $ATRIUM_ARTIFACTS_DIR, or download them."""
    jobs = client(ctx).jobs
    items = jobs.artifacts(group, job_id, attempt=attempt)
    if download is None:
        emit(items, as_json, render_artifacts)
        return
    root = download.resolve()
    for item in items:
        dest = (root / item.path).resolve()
        if not dest.is_relative_to(root):  # never trust a path from the network
            raise typer.BadParameter(f"refusing artifact path {item.path!r}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        jobs.download_artifact(group, job_id, item.path, dest, attempt=attempt)
    saved = [str(download / item.path) for item in items]
    done(as_json, f"Saved {len(saved)} artifacts under {download}.", {"saved": saved})
