"""``atrium runs``: tracked runs, searched, inspected, compared and deleted."""

from __future__ import annotations

import math
from typing import Annotated

import typer
from rich.console import Group, RenderableType

from atrium.cli._common import JsonOpt, YesOpt, client, confirm
from atrium.cli._output import details, done, emit, fmt_number, table
from atrium.sdk.tracking.models import MetricHistory, Run, RunComparison

app = typer.Typer(help="Search, inspect, compare and delete tracked runs.", no_args_is_help=True)
GroupArg = Annotated[str, typer.Argument(help="The group.")]
RunArg = Annotated[str, typer.Argument(help="The run's id (32 hex characters).")]


@app.command("list")
def list_runs(
    ctx: typer.Context,
    group: GroupArg,
    filter: Annotated[
        str,
        typer.Option("--filter", "-f", help="e.g. \"metrics.acc > 0.9 and params.lr = '0.01'\"."),
    ] = "",
    experiment: Annotated[
        list[str] | None,
        typer.Option("--experiment", "-e", help="Only this experiment (repeatable)."),
    ] = None,
    order_by: Annotated[
        list[str] | None,
        typer.Option("--order-by", "-o", help="e.g. 'metrics.acc DESC' (repeatable)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many runs.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """List a group's runs, newest first, optionally filtered and ordered."""
    page = client(ctx).runs.search(
        group, filter, experiments=experiment, order_by=order_by or (), limit=limit
    )
    emit(page.items, as_json, render_runs)


@app.command("get")
def get_run(ctx: typer.Context, group: GroupArg, run_id: RunArg, as_json: JsonOpt = False) -> None:
    """Show a run: its status, source, params, tags and latest metrics."""
    emit(client(ctx).runs.get(group, run_id), as_json, render_run)


@app.command("compare")
def compare_runs(
    ctx: typer.Context,
    group: GroupArg,
    run_ids: Annotated[list[str], typer.Argument(help="Two or more run ids.")],
    as_json: JsonOpt = False,
) -> None:
    """Runs side by side: every param and latest metric, differing params marked *."""
    emit(client(ctx).runs.compare(group, run_ids), as_json, render_comparison)


@app.command("history")
def metric_history(
    ctx: typer.Context,
    group: GroupArg,
    run_id: RunArg,
    key: Annotated[str, typer.Argument(help="The metric's key.")],
    max_points: Annotated[
        int | None, typer.Option("--max-points", help="Downsample to at most this many points.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Print one metric's points (step, time, value)."""
    found = client(ctx).runs.history(group, run_id, key, max_points=max_points)
    emit(found, as_json, render_history)


@app.command("delete")
def delete_run(
    ctx: typer.Context,
    group: GroupArg,
    run_id: RunArg,
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Delete a run; its artifacts are freed by the next blob garbage collection."""
    confirm(f"Delete run {run_id} of {group}?", yes)
    client(ctx).runs.delete(group, run_id)
    done(as_json, f"Deleted run {run_id}.", {"id": run_id, "deleted": True})


# ---- rendering -----------------------------------------------------------------------------


def _value(value: float | None) -> str:
    if value is None:
        return "-"
    return str(value) if math.isnan(value) or math.isinf(value) else fmt_number(value)


def render_runs(runs: list[Run]) -> RenderableType:
    rows = [(r.id, r.name, r.experiment, r.status, r.user, r.start_time, r.end_time) for r in runs]
    return table(["ID", "NAME", "EXPERIMENT", "STATUS", "USER", "STARTED", "ENDED"], rows)


def render_run(run: Run) -> RenderableType:
    source = run.source
    where = source.name or "-"
    if source.job_id is not None:
        where = f"job {source.job_id} ({where})"
    fields = details(
        [
            ("id", run.id),
            ("name", run.name),
            ("experiment", run.experiment),
            ("status", run.status),
            ("user", run.user),
            ("started", run.start_time),
            ("ended", run.end_time),
            ("parent", run.parent_run_id),
            ("source", f"{source.type}: {where}"),
            ("git commit", source.git_commit),
            ("inputs", run.inputs),
        ]
    )
    params = table(["PARAM", "VALUE"], sorted(run.params.items()))
    metrics = table(
        ["METRIC", "LATEST", "STEP", "MIN", "MAX", "POINTS"],
        [
            (k, _value(m.value), m.step, _value(m.min), _value(m.max), m.count)
            for k, m in sorted(run.metrics.items())
        ],
    )
    tags = table(["TAG", "VALUE"], sorted(run.tags.items()))
    return Group(fields, params, metrics, tags)


def render_comparison(found: RunComparison) -> RenderableType:
    headers = ["", *(r.name for r in found.runs)]
    rows: list[list[str]] = [["id", *(r.id for r in found.runs)]]
    for key, values in found.params.items():
        mark = " *" if key in found.differing_params else ""
        rows.append([f"params.{key}{mark}", *(v if v is not None else "-" for v in values)])
    for key, numbers in found.metrics.items():
        rows.append([f"metrics.{key}", *(_value(v) for v in numbers)])
    return table(headers, rows)


def render_history(found: MetricHistory) -> RenderableType:
    rows = zip(found.steps, found.timestamps, (_value(v) for v in found.values), strict=True)
    return table(["STEP", "TIMESTAMP (ms)", found.key.upper()], rows)
