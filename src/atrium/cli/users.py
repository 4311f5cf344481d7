"""``atrium users``: manage accounts (platform admins)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import RenderableType

from atrium.cli._common import JsonOpt, YesOpt, ask_password, client, confirm
from atrium.cli._output import details, done, emit, table
from atrium.sdk import User
from atrium.sdk.resources.users import UserChanges

app = typer.Typer(help="Manage user accounts (platform admins).", no_args_is_help=True)

UsernameArg = Annotated[str, typer.Argument(help="The user's username.", show_default=False)]
EmailOpt = Annotated[str | None, typer.Option("--email", help="Email address.")]
DisplayNameOpt = Annotated[str | None, typer.Option("--display-name", help="Full name to show.")]
PasswordOpt = Annotated[
    str | None, typer.Option("--password", "-p", help="Password; prompted (hidden) when omitted.")
]


@app.command("list")
def list_users(
    ctx: typer.Context,
    search: Annotated[
        str | None,
        typer.Option("--search", "-q", help="Only users whose name or email contains this."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List user accounts."""
    emit(list(client(ctx).users.iter_all(q=search)), as_json, render_users)


@app.command("get")
def get_user(ctx: typer.Context, username: UsernameArg, as_json: JsonOpt = False) -> None:
    """Show one user."""
    emit(client(ctx).users.get(username), as_json, render_user)


@app.command("create")
def create_user(
    ctx: typer.Context,
    username: UsernameArg,
    password: PasswordOpt = None,
    email: EmailOpt = None,
    display_name: DisplayNameOpt = None,
    admin: Annotated[bool, typer.Option("--admin", help="Make the user a platform admin.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Create a user account."""
    user = client(ctx).users.create(
        username,
        ask_password(password, new=True),
        email=email,
        display_name=display_name,
        is_admin=admin,
    )
    emit(user, as_json, render_user)


@app.command("update")
def update_user(
    ctx: typer.Context,
    username: UsernameArg,
    email: Annotated[
        str | None, typer.Option("--email", help='New email address ("" to clear it).')
    ] = None,
    display_name: Annotated[
        str | None, typer.Option("--display-name", help='New full name ("" to clear it).')
    ] = None,
    admin: Annotated[
        bool | None, typer.Option("--admin/--no-admin", help="Grant or remove platform admin.")
    ] = None,
    enabled: Annotated[
        bool | None,
        typer.Option("--enable/--disable", help="Allow or forbid the user to sign in."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a user's email, name, admin right or enabled state."""
    changes = _changes(email, display_name, admin, enabled)
    emit(client(ctx).users.update(username, **changes), as_json, render_user)


def _changes(
    email: str | None, display_name: str | None, admin: bool | None, enabled: bool | None
) -> UserChanges:
    changes = UserChanges()
    if email is not None:
        changes["email"] = email or None
    if display_name is not None:
        changes["display_name"] = display_name or None
    if admin is not None:
        changes["is_admin"] = admin
    if enabled is not None:
        changes["enabled"] = enabled
    if not changes:
        raise typer.BadParameter("nothing to change: pass at least one option (see --help)")
    return changes


@app.command("set-password")
def set_password(
    ctx: typer.Context,
    username: UsernameArg,
    password: PasswordOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Set a user's password; this signs them out everywhere."""
    client(ctx).users.reset_password(username, ask_password(password, new=True))
    done(as_json, f"Password of {username} changed.", {"username": username, "password_set": True})


@app.command("delete")
def delete_user(
    ctx: typer.Context, username: UsernameArg, yes: YesOpt = False, as_json: JsonOpt = False
) -> None:
    """Delete a user account."""
    confirm(f"Delete user {username!r}?", yes)
    client(ctx).users.delete(username)
    done(as_json, f"Deleted user {username}.", {"username": username, "deleted": True})


def render_users(users: list[User]) -> RenderableType:
    rows = [
        (u.username, u.display_name, u.email, u.is_admin, u.enabled, u.created_at) for u in users
    ]
    return table(["USERNAME", "DISPLAY NAME", "EMAIL", "ADMIN", "ENABLED", "CREATED"], rows)


def render_user(user: User) -> RenderableType:
    return details(
        [
            ("Username", user.username),
            ("Display name", user.display_name),
            ("Email", user.email),
            ("Platform admin", user.is_admin),
            ("Enabled", user.enabled),
            ("Created", user.created_at),
        ]
    )
