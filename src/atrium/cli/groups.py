"""``atrium groups``: the groups that share data, compute and models."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import RenderableType

from atrium.cli._common import JsonOpt, YesOpt, client, confirm
from atrium.cli._output import details, emit, table
from atrium.sdk import Group, GroupDeletion
from atrium.sdk.resources.groups import GroupChanges

app = typer.Typer(help="Manage groups.", no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(help="The group's name.", show_default=False)]


@app.command("list")
def list_groups(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List the groups you belong to (platform admins: all groups)."""
    emit(list(client(ctx).groups.iter_all()), as_json, render_groups)


@app.command("get")
def get_group(ctx: typer.Context, name: NameArg, as_json: JsonOpt = False) -> None:
    """Show one group."""
    emit(client(ctx).groups.get(name), as_json, render_group)


@app.command("create")
def create_group(
    ctx: typer.Context,
    name: NameArg,
    display_name: Annotated[
        str | None, typer.Option("--display-name", help="Name to show in the dashboard.")
    ] = None,
    description: Annotated[
        str | None, typer.Option("--description", help="What the group is for.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a group (platform admins)."""
    group = client(ctx).groups.create(name, display_name=display_name, description=description)
    emit(group, as_json, render_group)


@app.command("update")
def update_group(
    ctx: typer.Context,
    name: NameArg,
    display_name: Annotated[
        str | None, typer.Option("--display-name", help='New display name ("" to clear it).')
    ] = None,
    description: Annotated[
        str | None, typer.Option("--description", help='New description ("" to clear it).')
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a group's display name or description (group admins)."""
    changes = GroupChanges()
    if display_name is not None:
        changes["display_name"] = display_name or None
    if description is not None:
        changes["description"] = description or None
    if not changes:
        raise typer.BadParameter("nothing to change: pass --display-name or --description")
    emit(client(ctx).groups.update(name, **changes), as_json, render_group)


@app.command("delete")
def delete_group(
    ctx: typer.Context,
    name: NameArg,
    preview: Annotated[
        bool, typer.Option("--preview", help="Only show what would be deleted; change nothing.")
    ] = False,
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Delete a group with its members, invitations and quotas (platform admins)."""
    groups = client(ctx).groups
    if preview:
        emit(groups.delete(name, preview=True), as_json, render_deletion)
        return
    if not yes:
        counts = _summary(groups.delete(name, preview=True))
        confirm(f"Delete group {name!r} and {counts}? This cannot be undone.", yes)
    emit(groups.delete(name), as_json, render_deletion)


def _summary(deletion: GroupDeletion) -> str:
    parts = [f"{n} {kind.replace('_', ' ')}" for kind, n in deletion.resources.items()]
    return ", ".join(parts) or "nothing else"


def render_groups(groups: list[Group]) -> RenderableType:
    rows = [(g.name, g.display_name, g.member_count, g.my_role, g.created_at) for g in groups]
    return table(["NAME", "DISPLAY NAME", "MEMBERS", "MY ROLE", "CREATED"], rows)


def render_group(group: Group) -> RenderableType:
    return details(
        [
            ("Name", group.name),
            ("Display name", group.display_name),
            ("Description", group.description),
            ("Members", group.member_count),
            ("My role", group.my_role),
            ("Created", group.created_at),
        ]
    )


def render_deletion(deletion: GroupDeletion) -> RenderableType:
    verb = "Deleted" if deletion.deleted else "Would delete"
    rows = [(kind.replace("_", " "), n) for kind, n in deletion.resources.items()]
    out = table(["RESOURCE", "COUNT"], rows)
    out.title = f"{verb} group {deletion.group}"
    return out
