"""``atrium secrets``: a group's secrets, injected into its jobs as environment variables."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from rich.console import RenderableType

from atrium.cli._common import JsonOpt, YesOpt, client, confirm
from atrium.cli._output import done, emit, table
from atrium.sdk.resources.secrets import Secret

app = typer.Typer(
    help="Manage a group's secrets (values are write-only; jobs get them as env vars).",
    no_args_is_help=True,
)
GroupArg = Annotated[str, typer.Argument(help="The group.")]
NameArg = Annotated[
    str, typer.Argument(help="The secret's name: an env-var name, e.g. DB_PASSWORD.")
]


@app.command("list")
def list_secrets(ctx: typer.Context, group: GroupArg, as_json: JsonOpt = False) -> None:
    """List a group's secret names (never their values)."""
    emit(list(client(ctx).secrets.iter_all(group)), as_json, render_secrets)


@app.command("show")
def show_secret(
    ctx: typer.Context, group: GroupArg, name: NameArg, as_json: JsonOpt = False
) -> None:
    """Show who created and last changed a secret, and when."""
    emit(client(ctx).secrets.get(group, name), as_json, lambda s: render_secrets([s]))


@app.command("set")
def set_secret(
    ctx: typer.Context,
    group: GroupArg,
    name: NameArg,
    from_env: Annotated[
        str | None,
        typer.Option("--from-env", metavar="VAR", help="Read the value from this env var."),
    ] = None,
    stdin: Annotated[
        bool, typer.Option("--stdin", help="Read the value from standard input.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Create or replace a secret (group admins). Without options, prompts without echo.

    The value is never taken as an argument: it would end up in your shell history.
    """
    value = _read_value(from_env, stdin)
    secret = client(ctx).secrets.set(group, name, value)
    done(as_json, f"Secret {group}/{name} set.", {"name": secret.name, "group": secret.group})


@app.command("delete")
def delete_secret(
    ctx: typer.Context,
    group: GroupArg,
    name: NameArg,
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Delete a secret; jobs that name it are refused at submit from now on."""
    confirm(f"Delete secret {group}/{name}?", yes)
    client(ctx).secrets.delete(group, name)
    done(as_json, f"Deleted secret {group}/{name}.", {"name": name, "deleted": True})


def _read_value(from_env: str | None, stdin: bool) -> str:
    if from_env is not None:
        value = os.environ.get(from_env)
        if value is None:
            raise typer.BadParameter(
                f"environment variable {from_env} is not set", param_hint="--from-env"
            )
        return value
    if stdin:
        return sys.stdin.read().rstrip("\n")
    return str(typer.prompt("Value", hide_input=True, err=True))


def render_secrets(secrets: list[Secret]) -> RenderableType:
    rows = [(s.name, s.created_by, s.created_at, s.updated_by, s.updated_at) for s in secrets]
    return table(["NAME", "CREATED BY", "CREATED", "UPDATED BY", "UPDATED"], rows)
