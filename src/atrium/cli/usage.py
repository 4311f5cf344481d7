"""``atrium usage``: allocation-based resource-hours per group and user, by month."""

from __future__ import annotations

import csv
import sys
from typing import Annotated

import typer
from rich.console import Group, RenderableType
from rich.text import Text

from atrium.cli._common import JsonOpt, client
from atrium.cli._output import emit, table
from atrium.sdk.resources.usage import USAGE_COLUMNS, UsageLine, UsageReport

app = typer.Typer(help="Resource usage reports (core-, GB- and GPU-hours).", no_args_is_help=True)


@app.command("report")
def report(
    ctx: typer.Context,
    month: Annotated[
        str | None, typer.Option("--month", "-m", metavar="YYYY-MM", help="Default: this month.")
    ] = None,
    group: Annotated[str | None, typer.Option("--group", "-g", help="Only this group.")] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV (for spreadsheets).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Core-, GB- and GPU-hours held by jobs per group and user in one month (UTC).

    Usage is what was allocated (the instance type, from admission to the end), not what
    the processes used. Platform admins see all groups, group admins all users of theirs,
    members their own lines.
    """
    result = client(ctx).usage.report(month=month, group=group)
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(USAGE_COLUMNS)
        for line in result.lines:
            writer.writerow(
                ["" if v is None else v for v in (getattr(line, c) for c in USAGE_COLUMNS)]
            )
        return
    emit(result, as_json, render_report)


def render_report(r: UsageReport) -> RenderableType:
    title = Text(f"Usage {r.month} (UTC) — {r.scope}", style="bold")
    if not r.lines:
        return Group(title, Text("No allocations in this month."))
    top = max(line.cpu_core_hours for line in r.lines) or 1.0
    rows = [(*_cells(line), _bar(line.cpu_core_hours / top)) for line in r.lines]
    rows += [(*_cells(g), "") for g in r.groups] if len(r.groups) > 1 else []
    cols = ["GROUP", "USER", "CORE-H", "GB-H", "GPU-H", "ATTEMPTS", "CORE-H SHARE"]
    return Group(title, table(cols, rows))


def _cells(line: UsageLine) -> tuple[str, str, str, str, str, int]:
    who = line.user if line.user is not None else "(group total)"
    cpu, mem, gpu = (
        f"{h:,.2f}" for h in (line.cpu_core_hours, line.memory_gb_hours, line.gpu_hours)
    )
    return (line.group, who, cpu, mem, gpu, line.attempts)


def _bar(fraction: float, width: int = 20) -> str:
    return "█" * max(1, round(fraction * width)) if fraction > 0 else ""
