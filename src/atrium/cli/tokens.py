"""``atrium tokens``: your API tokens, for scripts and CI."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import RenderableType

from atrium.cli._common import JsonOpt, YesOpt, client, confirm
from atrium.cli._output import console, done, emit, print_json, table
from atrium.sdk import Token

app = typer.Typer(help="Manage your API tokens.", no_args_is_help=True)


@app.command("list")
def list_tokens(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List your API tokens (the secrets themselves are never shown again)."""
    emit(list(client(ctx).tokens.iter_all()), as_json, render_tokens)


@app.command("create")
def create_token(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name saying what the token is for.")],
    expires_in_days: Annotated[
        int | None,
        typer.Option("--expires-in-days", min=1, help="Lifetime in days (default: server's)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an API token and print it once; store it right away."""
    created = client(ctx).tokens.create(name, expires_in_days=expires_in_days)
    if as_json:
        print_json(created)
        return
    console.print(render_tokens([created]))
    typer.echo(created.token)
    typer.echo("Store this token now: it is not shown again. Use it as ATRIUM_TOKEN.", err=True)


@app.command("revoke")
def revoke_token(
    ctx: typer.Context,
    token_id: Annotated[str, typer.Argument(help="The token's id (see `atrium tokens list`).")],
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Revoke one of your API tokens; programs using it are locked out at once."""
    confirm(f"Revoke token {token_id}?", yes)
    client(ctx).tokens.revoke(token_id)
    done(as_json, f"Revoked token {token_id}.", {"id": token_id, "revoked": True})


def render_tokens(tokens: list[Token]) -> RenderableType:
    rows = [(t.id, t.name, t.prefix, t.created_at, t.expires_at, t.last_used_at) for t in tokens]
    return table(["ID", "NAME", "PREFIX", "CREATED", "EXPIRES", "LAST USED"], rows)
