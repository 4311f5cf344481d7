"""``atrium login``, ``logout`` and ``whoami``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from atrium.cli._common import CliState, JsonOpt, ask_password, client
from atrium.cli._output import details, done, emit, table
from atrium.sdk import AtriumConnectionError, Unauthenticated

if TYPE_CHECKING:
    from rich.console import RenderableType

    from atrium.sdk import Me, User

# main.py registers these commands on every start: what only they use is imported inside them.

UrlOpt = Annotated[
    str | None,
    typer.Option(
        "--url",
        help="Server to sign in to (default: global --url, ATRIUM_URL, the stored URL, "
        "then http://127.0.0.1:8420).",
    ),
]
UsernameOpt = Annotated[
    str | None, typer.Option("--username", "-u", help="Username; prompted when omitted.")
]
PasswordOpt = Annotated[
    str | None, typer.Option("--password", "-p", help="Password; prompted (hidden) when omitted.")
]
TokenOpt = Annotated[
    str | None,
    typer.Option("--token", help="Store this API token instead of signing in with a password."),
]


def login(
    ctx: typer.Context,
    url: UrlOpt = None,
    username: UsernameOpt = None,
    password: PasswordOpt = None,
    token: TokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Sign in and store the server URL and token (file mode 0600) for later commands."""
    from atrium.cli import _config
    from atrium.sdk import Client
    from atrium.sdk.config import resolve

    state = ctx.find_object(CliState) or CliState()
    sdk = Client(resolve(url or state.url)[0])
    ctx.call_on_close(sdk.close)
    # Only the credentials given here count, not a token from the env or an older login.
    sdk.token = token
    if token is not None:
        user: User = sdk.me()  # proves the token works before it is stored
    else:
        username = username or str(typer.prompt("Username", err=True))
        user = sdk.auth.login(username, ask_password(password, new=False)).user
    path = _config.save_login(sdk.url, str(sdk.token))
    result = {"url": sdk.url, "username": user.username, "config": str(path)}
    done(as_json, f"Logged in to {sdk.url} as {user.username}.", result)


def logout(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Revoke the current session on the server and forget the stored token."""
    from atrium.cli import _config

    sdk = client(ctx)
    revoked = False
    if sdk.token is not None:
        try:
            sdk.auth.logout()
            revoked = True
        except (Unauthenticated, AtriumConnectionError) as exc:
            # The token is useless or unreachable anyway: still forget it locally.
            typer.echo(f"Warning: could not revoke the session: {exc.message}", err=True)
    _config.forget_token()
    done(as_json, "Logged out.", {"logged_out": True, "session_revoked": revoked})


def whoami(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Show the signed-in user and their groups."""
    emit(client(ctx).me(), as_json, _render_me)


def _render_me(me: Me) -> RenderableType:
    info = details(
        [
            ("Username", me.username),
            ("Display name", me.display_name),
            ("Email", me.email),
            ("Platform admin", me.is_admin),
        ]
    )
    if not me.groups:
        return info
    rows = [(g.name, g.display_name, g.role) for g in me.groups]
    from rich.console import Group

    return Group(info, table(["GROUP", "DISPLAY NAME", "ROLE"], rows))
