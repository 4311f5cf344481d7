"""The ``atrium`` command: global options and the registry of command groups.

Command groups are imported when they are used, not at start-up: ``atrium datasets status``
loads the datasets module only (start-up is most of a quick command's time). Register a group
in :data:`GROUPS`; ``app.add_typer`` still works too, eagerly.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, MutableMapping
from typing import Annotated, Any

# httpx imports its own command line (httpx._main: click, rich, pygments) whenever they are
# installed, and Typer installs them; ~25 ms of CPU this CLI never uses. A None entry makes that
# one import fail, which httpx expects (it then offers a stub `httpx.main`).
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

import typer  # noqa: E402

from atrium import __version__  # noqa: E402
from atrium.cli import _params, auth  # noqa: E402
from atrium.cli._common import CliState  # noqa: E402
from atrium.cli._output import AtriumGroup  # noqa: E402

_params.install()  # str and Path parameters without pydantic (see _params)

#: Command group name -> module defining its ``app``, in the order ``--help`` lists them.
GROUPS = {
    "users": "atrium.cli.users",
    "groups": "atrium.cli.groups",
    "members": "atrium.cli.members",
    "instance-types": "atrium.cli.instance_types",
    "tokens": "atrium.cli.tokens",
    "quota": "atrium.cli.quota",
    "invitations": "atrium.cli.invitations",
    "audit": "atrium.cli.audit",
    "admin": "atrium.cli.admin",
    "datasets": "atrium.cli.datasets",
    "jobs": "atrium.cli.jobs",
    "secrets": "atrium.cli.secrets",
    "schedules": "atrium.cli.schedules",
    "usage": "atrium.cli.usage",
    "notifications": "atrium.cli.notifications",
    "runs": "atrium.cli.runs",
    "experiments": "atrium.cli.experiments",
    "models": "atrium.cli.models",
}


class LazyCommands(MutableMapping[str, Any]):
    """The root's commands: the built ones, plus :data:`GROUPS` built on first access."""

    def __init__(self, built: MutableMapping[str, Any], lazy: dict[str, str]) -> None:
        self._built = dict(built)
        self._lazy = {name: path for name, path in lazy.items() if name not in built}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built and name in self._lazy:
            self._built[name] = _build_group(name, self._lazy.pop(name))
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._lazy.pop(name, None)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        if self._lazy.pop(name, None) is None:
            del self._built[name]

    def __iter__(self) -> Iterator[str]:
        # Names only (listing must not import the modules), from a snapshot: reading the
        # items while iterating builds groups, which moves them from _lazy to _built.
        yield from [*self._built, *self._lazy]

    def __len__(self) -> int:
        return len(self._built) + len(self._lazy)


def _build_group(name: str, module: str) -> Any:
    """The click group of ``module.app`` as ``app.add_typer(module.app, name=name)`` makes it."""
    holder = typer.Typer()
    holder.add_typer(importlib.import_module(module).app, name=name)
    return typer.main.get_group(holder).commands[name]


class LazyGroup(AtriumGroup):
    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(self.commands, GROUPS)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)


app = typer.Typer(
    name="atrium",
    cls=LazyGroup,
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

# The server-side commands (up, server, db) live in serve.py, owned by the server side.
from atrium.cli.serve import register as _register_serve  # noqa: E402

_register_serve(app)
