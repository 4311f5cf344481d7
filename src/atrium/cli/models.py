"""``atrium models``: the model registry: models, versions, aliases, download and lineage."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Group, RenderableType
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

from atrium.cli._common import JsonOpt, YesOpt, client, confirm
from atrium.cli._output import details, done, emit, fmt_bytes, fmt_number, table
from atrium.sdk.registry.models import (
    AliasMove,
    Lineage,
    ModelAlias,
    ModelVersion,
    RegisteredModel,
)

app = typer.Typer(
    help="Registered models: versions from runs or uploads, aliases, download, lineage.\n\n"
    "Refs name a version: models:/NAME/3, models:/NAME@production, models:/NAME/latest.",
    no_args_is_help=True,
)
GroupArg = Annotated[str, typer.Argument(help="The group.")]
NameArg = Annotated[str, typer.Argument(help="The model's name.")]
RefArg = Annotated[
    str, typer.Argument(help="models:/NAME/VERSION, models:/NAME@ALIAS or models:/NAME/latest.")
]


@app.command("list")
def list_models(
    ctx: typer.Context,
    group: GroupArg,
    filter: Annotated[
        str | None, typer.Option("--filter", "-f", help="Names containing this text.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many models.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """List a group's registered models."""
    emit(client(ctx).models.list(group, filter=filter, limit=limit).items, as_json, render_models)


@app.command("get")
def get_model(
    ctx: typer.Context,
    group: GroupArg,
    name: Annotated[str, typer.Argument(help="A model's name, or a ref for one version.")],
    as_json: JsonOpt = False,
) -> None:
    """Show a model (aliases, latest version), or the version a ref names."""
    models = client(ctx).models
    if name.startswith("models:/"):
        emit(models.resolve(group, name), as_json, render_version)
    else:
        emit(models.get(group, name), as_json, render_model)


@app.command("versions")
def list_versions(
    ctx: typer.Context,
    group: GroupArg,
    name: NameArg,
    status: Annotated[
        str | None, typer.Option("--status", help="Only 'pending' or 'ready' versions.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many versions.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """List a model's versions, newest first."""
    page = client(ctx).models.versions(group, name, status=status, limit=limit)
    emit(page.items, as_json, render_versions)


@app.command("register")
def register(
    ctx: typer.Context,
    group: GroupArg,
    name: Annotated[str, typer.Argument(help="The model (created if it does not exist).")],
    run_id: Annotated[
        str | None, typer.Option("--run", help="Register this run's artifacts (no copy).")
    ] = None,
    path: Annotated[
        str, typer.Option("--path", help="The run's artifact directory holding the model.")
    ] = "model",
    directory: Annotated[
        Path | None,
        typer.Option("--dir", help="Upload this local directory instead.", file_okay=False),
    ] = None,
    description: Annotated[
        str | None, typer.Option("--description", "-d", help="What this version is.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a new version from a run (--run ID [--path model]) or a directory (--dir)."""
    if (run_id is None) == (directory is None):
        raise typer.BadParameter("give exactly one of --run or --dir")
    models = client(ctx).models
    if directory is None:
        made = models.register(group, name, run_id=run_id, path=path, description=description)
    else:
        with _progress(as_json) as bar:
            task = bar.add_task("upload", total=None)

            def advance(_: str, done_bytes: int, total: int) -> None:
                bar.update(task, completed=done_bytes, total=total)

            made = models.register(
                group, name, directory=directory, description=description, progress=advance
            )
    emit(made, as_json, render_version)


@app.command("alias")
def alias(
    ctx: typer.Context,
    group: GroupArg,
    name: NameArg,
    alias_name: Annotated[str, typer.Argument(metavar="ALIAS", help="e.g. production.")],
    version: Annotated[
        int | None, typer.Argument(help="Point the alias at this version (it must be ready).")
    ] = None,
    delete: Annotated[bool, typer.Option("--delete", help="Remove the alias.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Set (ALIAS VERSION), show (ALIAS) or --delete an alias; every move is audited."""
    models = client(ctx).models
    if delete:
        models.delete_alias(group, name, alias_name)
        data = {"model": name, "alias": alias_name, "deleted": True}
        done(as_json, f"Deleted alias {alias_name} of {name}.", data)
    elif version is None:
        emit(models.get_alias(group, name, alias_name), as_json, render_alias)
    else:
        emit(models.set_alias(group, name, alias_name, version), as_json, render_alias)


@app.command("history")
def history(
    ctx: typer.Context,
    group: GroupArg,
    name: NameArg,
    alias_name: Annotated[
        str | None, typer.Option("--alias", help="Only this alias's moves.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Every alias move of a model, newest first."""
    emit(list(client(ctx).models.history(group, name, alias=alias_name)), as_json, render_moves)


@app.command("download")
def download(
    ctx: typer.Context,
    group: GroupArg,
    ref: RefArg,
    directory: Annotated[
        Path, typer.Option("--dir", help="Where to write the files.", file_okay=False)
    ] = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """Download the files of the version a ref names."""
    models = client(ctx).models
    version = models.resolve(group, ref)
    with _progress(as_json) as bar:
        task = bar.add_task(version.ref, total=version.size)
        models.download_version(
            version, directory, lambda _, n, total: bar.update(task, completed=n, total=total)
        )
    data = {"ref": version.ref, "directory": str(directory), "files": version.file_count}
    done(as_json, f"Downloaded {version.ref} ({version.file_count} files) to {directory}.", data)


@app.command("lineage")
def lineage(ctx: typer.Context, group: GroupArg, ref: RefArg, as_json: JsonOpt = False) -> None:
    """Where a version came from: run, job, environment and dataset versions."""
    emit(client(ctx).models.lineage(group, ref), as_json, render_lineage)


@app.command("delete")
def delete(
    ctx: typer.Context,
    group: GroupArg,
    name: NameArg,
    version: Annotated[
        int | None, typer.Option("--version", "-v", help="Delete only this version.")
    ] = None,
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Delete a model (all versions) or one --version; blobs go at the next blob GC."""
    models = client(ctx).models
    what = f"version {version} of {name}" if version is not None else f"model {name}"
    confirm(f"Delete {what} in {group}?", yes)
    if version is None:
        models.delete(group, name)
    else:
        models.delete_version(group, name, version)
    done(as_json, f"Deleted {what}.", {"model": name, "version": version, "deleted": True})


def _progress(quiet: bool) -> Progress:
    """A byte progress bar on stderr; hidden with --json so the output stays parseable."""
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn())
    return Progress(*columns, disable=quiet, transient=True)


# ---- rendering -----------------------------------------------------------------------------


def render_models(models: list[RegisteredModel]) -> RenderableType:
    rows = [
        (m.name, m.latest_version, m.version_count, _aliases(m.aliases), m.created_by)
        for m in models
    ]
    return table(["NAME", "LATEST", "VERSIONS", "ALIASES", "CREATED BY"], rows)


def _aliases(aliases: dict[str, int]) -> str:
    return ", ".join(f"{a}={v}" for a, v in sorted(aliases.items())) or "-"


def render_model(model: RegisteredModel) -> RenderableType:
    fields = details(
        [
            ("name", model.name),
            ("description", model.description),
            ("latest version", model.latest_version),
            ("versions", model.version_count),
            ("aliases", _aliases(model.aliases)),
            ("created by", model.created_by),
            ("created", model.created_at),
        ]
    )
    return Group(fields, table(["TAG", "VALUE"], sorted(model.tags.items())))


def render_versions(versions: list[ModelVersion]) -> RenderableType:
    rows = [
        (v.version, v.status, ", ".join(v.flavors) or "-", ", ".join(v.aliases) or "-",
         v.source, fmt_bytes(v.size), v.created_by)
        for v in versions
    ]  # fmt: skip
    return table(["VERSION", "STATUS", "FLAVORS", "ALIASES", "SOURCE", "SIZE", "BY"], rows)


def render_version(v: ModelVersion) -> RenderableType:
    fields = details(
        [
            ("ref", v.ref),
            ("status", v.status),
            ("flavors", ", ".join(v.flavors) or "-"),
            ("aliases", ", ".join(v.aliases) or "-"),
            ("source", v.source),
            ("files", f"{v.file_count} ({fmt_bytes(v.size)})"),
            ("input example", v.input_example_path),
            ("description", v.description),
            ("created by", v.created_by),
            ("created", v.created_at),
        ]
    )
    metrics = table(["METRIC", "VALUE"], [(k, fmt_number(x)) for k, x in sorted(v.metrics.items())])
    return Group(fields, metrics)


def render_alias(found: ModelAlias) -> RenderableType:
    return details(
        [
            ("alias", found.alias),
            ("ref", f"models:/{found.model}/{found.version}"),
            ("set by", found.updated_by),
            ("set", found.updated_at),
        ]
    )


def render_moves(moves: list[AliasMove]) -> RenderableType:
    rows = [(m.created_at, m.alias, m.from_version, m.to_version, m.user) for m in moves]
    return table(["WHEN", "ALIAS", "FROM", "TO", "BY"], rows)


def render_lineage(found: Lineage) -> RenderableType:
    run, job = found.run or {}, found.job or {}
    command = job.get("command")
    return details(
        [
            ("version", f"models:/{found.model}/{found.version}"),
            ("run", f"{run['id']} ({run['name']}, {run['status']})" if run else None),
            ("experiment", run.get("experiment")),
            ("job", f"{job['id']} on {job['instance_type']} ({job['status']})" if job else None),
            ("command", " ".join(command) if isinstance(command, list) else command),
            ("environment", found.environment or ("server's Python" if job else None)),
            ("datasets", found.datasets),
        ]
    )
