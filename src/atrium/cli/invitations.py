"""``atrium invitations``: invite people into a group with a single-use token."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import RenderableType

from atrium.cli import _config
from atrium.cli._common import JsonOpt, Role, YesOpt, ask_password, client, confirm
from atrium.cli._output import console, details, done, emit, print_json, table
from atrium.sdk import Invitation, InvitationAcceptance, InvitationPreview

app = typer.Typer(help="Invite people into groups.", no_args_is_help=True)

GroupArg = Annotated[str, typer.Argument(help="The group's name.", show_default=False)]
TokenArg = Annotated[str, typer.Argument(help="The invitation token.", show_default=False)]


@app.command("list")
def list_invitations(ctx: typer.Context, group: GroupArg, as_json: JsonOpt = False) -> None:
    """List a group's invitations (group admins)."""
    emit(list(client(ctx).invitations.iter_all(group)), as_json, render_invitations)


@app.command("create")
def create_invitation(
    ctx: typer.Context,
    group: GroupArg,
    role: Annotated[Role, typer.Option("--role", help="Role given on joining.")] = Role.member,
    email: Annotated[
        str | None, typer.Option("--email", help="Who the invitation is meant for.")
    ] = None,
    expires_in_hours: Annotated[
        int | None,
        typer.Option("--expires-in-hours", min=1, help="Lifetime in hours (default: server's)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an invitation and print its token once; send it to the invitee."""
    created = client(ctx).invitations.create(
        group, role=role.value, email=email, expires_in_hours=expires_in_hours
    )
    if as_json:
        print_json(created)
        return
    console.print(render_invitations([created]))
    typer.echo(created.token)
    typer.echo(
        "The invitee joins with `atrium invitations accept TOKEN`; the token is not shown again.",
        err=True,
    )


@app.command("revoke")
def revoke_invitation(
    ctx: typer.Context,
    invitation_id: Annotated[str, typer.Argument(help="The invitation's id.", show_default=False)],
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Revoke an invitation that has not been used yet."""
    confirm(f"Revoke invitation {invitation_id}?", yes)
    client(ctx).invitations.revoke(invitation_id)
    result = {"id": invitation_id, "revoked": True}
    done(as_json, f"Revoked invitation {invitation_id}.", result)


@app.command("preview")
def preview_invitation(ctx: typer.Context, token: TokenArg, as_json: JsonOpt = False) -> None:
    """Show which group and role an invitation token grants."""
    emit(client(ctx).invitations.preview(token), as_json, render_preview)


@app.command("accept")
def accept_invitation(
    ctx: typer.Context,
    token: TokenArg,
    username: Annotated[
        str | None,
        typer.Option("--username", "-u", help="Create this new account (else: join as yourself)."),
    ] = None,
    password: Annotated[
        str | None,
        typer.Option("--password", "-p", help="The new account's password; prompted if omitted."),
    ] = None,
    email: Annotated[str | None, typer.Option("--email", help="The new account's email.")] = None,
    display_name: Annotated[
        str | None, typer.Option("--display-name", help="The new account's full name.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Join a group: as the signed-in user, or as a new account with --username."""
    sdk = client(ctx)
    if username is not None:
        # Sign-up is anonymous: with a token the server would enrol the signed-in user instead.
        sdk.token = None
        password = ask_password(password, new=True)
    result = sdk.invitations.accept(
        token, username=username, password=password, email=email, display_name=display_name
    )
    if result.token is not None:
        # A new account was created: sign the CLI in as it, as `atrium login` would.
        _config.save_login(sdk.url, result.token)
    if as_json:
        print_json({**_acceptance_dict(result), "logged_in": result.token is not None})
        return
    console.print(render_acceptance(result))


def _acceptance_dict(result: InvitationAcceptance) -> dict[str, object]:
    # The session token is stored in the config file; it is not printed.
    return {"group": result.group, "role": result.role, "user": result.user}


def render_invitations(items: list[Invitation]) -> RenderableType:
    rows = [(i.id, i.role, i.email, i.created_by, i.expires_at, i.used_by or "-") for i in items]
    return table(["ID", "ROLE", "EMAIL", "CREATED BY", "EXPIRES", "USED BY"], rows)


def render_preview(preview: InvitationPreview) -> RenderableType:
    return details(
        [("Group", preview.group), ("Role", preview.role), ("Expires", preview.expires_at)]
    )


def render_acceptance(result: InvitationAcceptance) -> RenderableType:
    lines = f"{result.user.username} joined {result.group} as {result.role}."
    if result.token is not None:
        lines += f"\nLogged in as {result.user.username}."
    return lines
