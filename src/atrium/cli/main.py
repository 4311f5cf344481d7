"""The ``atrium`` command: global options and the registry of command groups."""

from __future__ import annotations

from typing import Annotated

import typer

from atrium import __version__
from atrium.cli import (
    audit,
    auth,
    datasets,
    groups,
    instance_types,
    invitations,
    jobs,
    members,
    notifications,
    quota,
    schedules,
    secrets,
    tokens,
    usage,
    users,
)
from atrium.cli._common import CliState
from atrium.cli._output import AtriumGroup

app = typer.Typer(
    name="atrium",
    cls=AtriumGroup,
    help="Atrium: an MLOps hub for groups sharing data, compute and models.",
    no_args_is_help=True,
    # Locals in a traceback could include passwords and tokens.
    pretty_exceptions_show_locals=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"atrium {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            metavar="URL",
            help="Server URL; overrides ATRIUM_URL and the URL stored by `atrium login`.",
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            metavar="TOKEN",
            help="API token; overrides ATRIUM_TOKEN and the token stored by `atrium login`.",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Atrium: an MLOps hub for groups sharing data, compute and models."""
    ctx.obj = CliState(url=url, token=token)


app.command("login")(auth.login)
app.command("logout")(auth.logout)
app.command("whoami")(auth.whoami)
app.add_typer(users.app, name="users")
app.add_typer(groups.app, name="groups")
app.add_typer(members.app, name="members")
app.add_typer(instance_types.app, name="instance-types")
app.add_typer(tokens.app, name="tokens")
app.add_typer(quota.app, name="quota")
app.add_typer(invitations.app, name="invitations")
app.add_typer(audit.app, name="audit")
app.add_typer(datasets.app, name="datasets")
app.add_typer(jobs.app, name="jobs")
app.add_typer(secrets.app, name="secrets")
app.add_typer(schedules.app, name="schedules")
app.add_typer(usage.app, name="usage")
app.add_typer(notifications.app, name="notifications")

# The server-side commands (up, server, db) live in serve.py, owned by the server side.
from atrium.cli.serve import register as _register_serve  # noqa: E402

_register_serve(app)
