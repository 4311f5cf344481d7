"""``atrium schedules``: submit a job on a cron (or hourly, daily, ...) in a timezone."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Group, RenderableType
from rich.text import Text

from atrium.cli._common import JsonOpt, YesOpt, client, confirm, parse_pairs
from atrium.cli._output import details, done, emit, table
from atrium.sdk.resources.schedules import Schedule, ScheduleRun, job_template

app = typer.Typer(
    help="Run a job on a schedule: cron or preset, in a timezone, one run at a time.",
    no_args_is_help=True,
)


class Preset(StrEnum):
    """Shorthands for common cron expressions."""

    hourly = "hourly"
    daily = "daily"
    weekly = "weekly"
    monthly = "monthly"


GroupArg = Annotated[str, typer.Argument(metavar="GROUP", help="The group.")]
NameArg = Annotated[str, typer.Argument(metavar="NAME", help="The schedule's name.")]
CronOpt = Annotated[
    str | None,
    typer.Option(
        "--cron", metavar="EXPR", help='5-field cron: minute hour day month weekday, "0 2 * * *".'
    ),
]
PresetOpt = Annotated[
    Preset | None,
    typer.Option(
        "--preset", help="hourly (:00), daily (00:00), weekly (Sunday 00:00), monthly (1st 00:00)."
    ),
]
ZoneOpt = Annotated[
    str | None,
    typer.Option(
        "--timezone", "--tz", metavar="ZONE", help="IANA timezone, e.g. Europe/Paris (default UTC)."
    ),
]


@app.command("create")
def create_schedule(
    ctx: typer.Context,
    group: GroupArg,
    name: NameArg,
    command: Annotated[
        list[str],
        typer.Argument(
            metavar="-- COMMAND...",
            help="What to run: one argument runs in a shell, several run as argv.",
        ),
    ],
    cron: CronOpt = None,
    preset: PresetOpt = None,
    timezone: ZoneOpt = None,
    instance_type: Annotated[
        str | None, typer.Option("--instance-type", "-t", help="Default: cpu-1.")
    ] = None,
    env: Annotated[
        list[str] | None, typer.Option("--env", "-e", metavar="K=V", help="Env var (repeatable).")
    ] = None,
    secret: Annotated[
        list[str] | None,
        typer.Option(
            "--secret", "-s", metavar="NAME", help="Group secret as env var (repeatable)."
        ),
    ] = None,
    inputs: Annotated[
        list[str] | None,
        typer.Option(
            "--input",
            "-i",
            metavar="NAME=REF",
            help="Dataset input, group/name[@vN|:tag]; :latest is resolved at each run.",
        ),
    ] = None,
    timeout: Annotated[
        int | None, typer.Option("--timeout", metavar="SECONDS", help="Kill the job after this.")
    ] = None,
    job_name: Annotated[
        str | None, typer.Option("--job-name", help="Name of each job (default: the schedule's).")
    ] = None,
    disabled: Annotated[
        bool, typer.Option("--disabled", help="Create it disabled; `enable` starts it.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Create a schedule; its jobs are submitted as you.

    Example: atrium schedules create ml nightly --cron "0 2 * * *" --tz Europe/Paris
    -- python train.py
    """
    job = job_template(
        command[0] if len(command) == 1 else command,
        name=job_name or name,
        instance_type=instance_type,
        env=parse_pairs(env, "--env"),
        secrets=secret,
        inputs=parse_pairs(inputs, "--input"),
        timeout_seconds=timeout,
    )
    made = client(ctx).schedules.create(
        group,
        name,
        job,
        cron=cron,
        preset=preset.value if preset else None,
        timezone=timezone,
        enabled=False if disabled else None,
    )
    emit(made, as_json, render_schedule)


@app.command("update")
def update_schedule(
    ctx: typer.Context,
    group: GroupArg,
    name: NameArg,
    cron: CronOpt = None,
    preset: PresetOpt = None,
    timezone: ZoneOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change when a schedule runs (its job: `client.schedules.update` in the SDK)."""
    if cron is None and preset is None and timezone is None:
        raise typer.BadParameter("give --cron, --preset or --timezone")
    changed = client(ctx).schedules.update(
        group, name, cron=cron, preset=preset.value if preset else None, timezone=timezone
    )
    emit(changed, as_json, render_schedule)


@app.command("list")
def list_schedules(ctx: typer.Context, group: GroupArg, as_json: JsonOpt = False) -> None:
    """List a group's schedules with their status and next run."""
    emit(list(client(ctx).schedules.iter_all(group)), as_json, render_schedules)


@app.command("get")
def get_schedule(
    ctx: typer.Context,
    group: GroupArg,
    name: NameArg,
    next_runs: Annotated[
        int, typer.Option("--next", "-n", min=1, max=100, help="How many next runs to show.")
    ] = 5,
    as_json: JsonOpt = False,
) -> None:
    """Show a schedule: its job, status or problem, next runs and last run."""
    emit(client(ctx).schedules.get(group, name, next_runs=next_runs), as_json, render_schedule)


@app.command("history")
def schedule_history(
    ctx: typer.Context,
    group: GroupArg,
    name: NameArg,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="How many runs.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Recent ticks and triggers, newest first: submitted, skipped or failed, and why."""
    page = client(ctx).schedules.history(group, name, limit=limit)
    emit(page.items, as_json, render_history)


@app.command("enable")
def enable_schedule(
    ctx: typer.Context, group: GroupArg, name: NameArg, as_json: JsonOpt = False
) -> None:
    """Start ticking again, from the next cron time on (missed ticks are not replayed)."""
    emit(client(ctx).schedules.enable(group, name), as_json, render_schedule)


@app.command("disable")
def disable_schedule(
    ctx: typer.Context, group: GroupArg, name: NameArg, as_json: JsonOpt = False
) -> None:
    """Stop ticking; the schedule and its history stay."""
    emit(client(ctx).schedules.disable(group, name), as_json, render_schedule)


@app.command("trigger")
def trigger_schedule(
    ctx: typer.Context, group: GroupArg, name: NameArg, as_json: JsonOpt = False
) -> None:
    """Submit the schedule's job now, as you (refused while its previous job runs)."""
    run = client(ctx).schedules.trigger(group, name)
    done(as_json, f"Schedule {group}/{name}: {run.message}.", run)


@app.command("delete")
def delete_schedule(
    ctx: typer.Context,
    group: GroupArg,
    name: NameArg,
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Delete a schedule and its history; jobs it submitted stay."""
    confirm(f"Delete schedule {group}/{name}?", yes)
    client(ctx).schedules.delete(group, name)
    done(as_json, f"Deleted schedule {group}/{name}.", {"name": name, "deleted": True})


# ---- rendering -------------------------------------------------------------------------------


def _local(t: datetime) -> str:
    """A time as the schedule's zone sees it, with its offset: 2026-11-28 02:00 +01:00."""
    offset = t.strftime("%z")
    return f"{t:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}"


def _when(s: Schedule) -> str:
    return f"{s.preset} ({s.cron})" if s.preset else s.cron


def _command(s: Schedule) -> str:
    command = s.job.get("command", "")
    return command if isinstance(command, str) else " ".join(command)


def render_schedules(items: list[Schedule]) -> RenderableType:
    rows = [
        (
            s.name,
            _when(s),
            s.timezone,
            s.status,
            _local(s.next_runs[0]) if s.next_runs else None,
            s.last_run.message if s.last_run else None,
            s.owner,
        )
        for s in items
    ]
    return table(["NAME", "SCHEDULE", "TIMEZONE", "STATUS", "NEXT RUN", "LAST RUN", "OWNER"], rows)


def render_schedule(s: Schedule) -> RenderableType:
    last = s.last_run
    pairs = [
        ("name", f"{s.group}/{s.name}"),
        ("schedule", f"{_when(s)} in {s.timezone}"),
        ("status", s.status),
        ("problem", s.problem),
        ("runs as", s.owner),
        ("command", _command(s)),
        ("instance type", s.job.get("instance_type")),
        ("last run", f"{last.message} ({last.time:%Y-%m-%d %H:%M %Z})" if last else None),
    ]
    upcoming = Text("\n".join(_local(t) for t in s.next_runs) or "none (disabled or invalid)")
    return Group(details(pairs), Text("next runs", style="bold"), upcoming)


def render_history(runs: list[ScheduleRun]) -> RenderableType:
    rows = [
        (r.time, r.scheduled_for, r.trigger, r.actor, r.outcome, r.job_id, r.message) for r in runs
    ]
    return table(["TIME", "SCHEDULED FOR", "TRIGGER", "BY", "OUTCOME", "JOB", "MESSAGE"], rows)
