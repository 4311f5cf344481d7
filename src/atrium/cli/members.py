"""``atrium members``: who belongs to a group, with which role."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import RenderableType

from atrium.cli._common import JsonOpt, Role, YesOpt, client, confirm
from atrium.cli._output import done, emit, table
from atrium.sdk import Member

app = typer.Typer(help="Manage the members of a group (group admins).", no_args_is_help=True)

GroupArg = Annotated[str, typer.Argument(help="The group's name.", show_default=False)]
UsernameArg = Annotated[str, typer.Argument(help="The member's username.", show_default=False)]


@app.command("list")
def list_members(ctx: typer.Context, group: GroupArg, as_json: JsonOpt = False) -> None:
    """List the members of a group."""
    emit(list(client(ctx).members.iter_all(group)), as_json, render_members)


@app.command("add")
def add_member(
    ctx: typer.Context,
    group: GroupArg,
    username: UsernameArg,
    role: Annotated[Role, typer.Option("--role", help="Role in the group.")] = Role.member,
    as_json: JsonOpt = False,
) -> None:
    """Add an existing user to a group."""
    member = client(ctx).members.add(group, username, role=role.value)
    emit(member, as_json, render_member)


@app.command("set-role")
def set_role(
    ctx: typer.Context,
    group: GroupArg,
    username: UsernameArg,
    role: Annotated[Role, typer.Argument(help="The new role.", show_default=False)],
    as_json: JsonOpt = False,
) -> None:
    """Change a member's role."""
    member = client(ctx).members.update(group, username, role.value)
    emit(member, as_json, render_member)


@app.command("remove")
def remove_member(
    ctx: typer.Context,
    group: GroupArg,
    username: UsernameArg,
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Remove a member from a group."""
    confirm(f"Remove {username!r} from group {group!r}?", yes)
    client(ctx).members.remove(group, username)
    result = {"group": group, "username": username, "removed": True}
    done(as_json, f"Removed {username} from {group}.", result)


def render_members(members: list[Member]) -> RenderableType:
    rows = [(m.username, m.display_name, m.email, m.role, m.joined_at) for m in members]
    return table(["USERNAME", "DISPLAY NAME", "EMAIL", "ROLE", "JOINED"], rows)


def render_member(member: Member) -> RenderableType:
    return render_members([member])
