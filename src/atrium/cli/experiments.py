"""``atrium experiments``: a group's experiments (named sets of runs)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import RenderableType

from atrium.cli._common import JsonOpt, client
from atrium.cli._output import emit, table
from atrium.sdk.tracking.models import Experiment

app = typer.Typer(help="List and create experiments (named sets of runs).", no_args_is_help=True)
GroupArg = Annotated[str, typer.Argument(help="The group.")]


@app.command("list")
def list_experiments(ctx: typer.Context, group: GroupArg, as_json: JsonOpt = False) -> None:
    """List a group's experiments."""
    emit(list(client(ctx).experiments.iter_all(group)), as_json, render_experiments)


@app.command("create")
def create_experiment(
    ctx: typer.Context,
    group: GroupArg,
    name: Annotated[str, typer.Argument(help="The experiment's name.")],
    description: Annotated[
        str | None, typer.Option("--description", help="What the experiment is about.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an experiment (runs also create theirs on first use)."""
    found = client(ctx).experiments.create(group, name, description=description)
    emit(found, as_json, lambda e: render_experiments([e]))


def render_experiments(found: list[Experiment]) -> RenderableType:
    rows = [(e.id, e.name, e.run_count, e.created_by, e.created_at, e.description) for e in found]
    return table(["ID", "NAME", "RUNS", "CREATED BY", "CREATED", "DESCRIPTION"], rows)
