"""``atrium admin``: hub maintenance for platform admins."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import RenderableType

from atrium.cli._common import JsonOpt, client
from atrium.cli._output import details, emit, fmt_bytes
from atrium.sdk.resources.admin import GcReport

app = typer.Typer(help="Hub maintenance (platform admins).", no_args_is_help=True)


@app.command("gc")
def gc(
    ctx: typer.Context,
    apply: Annotated[
        bool, typer.Option("--apply", help="Delete for real (default: a dry run that reports).")
    ] = False,
    grace: Annotated[
        int,
        typer.Option(
            "--grace", min=0, help="Keep unreferenced blobs younger than this many seconds."
        ),
    ] = 3600,
    as_json: JsonOpt = False,
) -> None:
    """Free the blobs nothing live references (deleted dataset versions, runs, model
    versions, expired uploads) and the metric points of deleted runs.

    Safe while pushes run: blobs younger than --grace belong to uploads in progress.
    """
    report = client(ctx).admin.gc(dry_run=not apply, grace_seconds=grace)
    emit(report, as_json, render_gc)


def render_gc(r: GcReport) -> RenderableType:
    verb = "Would free" if r.dry_run else "Freed"
    return details(
        [
            (verb, f"{fmt_bytes(r.bytes)} in {r.blobs} blobs"),
            ("Kept (recent)", f"{r.kept_recent} unreferenced blobs younger than the grace time"),
            ("Metric points", f"{r.metric_points} of deleted runs"),
            ("Next", "run again with --apply to delete" if r.dry_run else None),
        ]
    )
