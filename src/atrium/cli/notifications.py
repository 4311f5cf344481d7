"""``atrium notifications``: your own webhooks and e-mail for jobs that end."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.console import RenderableType

from atrium.cli._common import JsonOpt, YesOpt, client, confirm
from atrium.cli._output import console, done, emit, print_json, table
from atrium.sdk.resources.notifications import (
    ChannelChanges,
    CreatedNotificationChannel,
    NotificationChannel,
    NotificationDelivery,
)

app = typer.Typer(
    help="Be told when your jobs end: signed webhooks or e-mail (private to you).",
    no_args_is_help=True,
)


class Event(StrEnum):
    """A job end state a channel reports."""

    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"
    timed_out = "timed_out"


IdArg = Annotated[str, typer.Argument(help="The channel's id (see `atrium notifications list`).")]
EventsOpt = Annotated[
    list[Event] | None,
    typer.Option(
        "--event",
        "-e",
        help="A job end state to report; repeat for several. Default: failed, cancelled, "
        "timed_out.",
    ),
]
GroupOpt = Annotated[
    str | None, typer.Option("--group", "-g", help="Only jobs of this group (default: all).")
]
DisabledOpt = Annotated[
    bool, typer.Option("--disabled", help="Create it switched off (turn on with `update`).")
]


@app.command("list")
def list_channels(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List your notification channels (signing secrets are never shown again)."""
    emit(list(client(ctx).notifications.iter_all()), as_json, render_channels)


@app.command("add-webhook")
def add_webhook(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="Where to POST the signed JSON (http or https).")],
    events: EventsOpt = None,
    group: GroupOpt = None,
    disabled: DisabledOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Add a webhook and print its signing secret once; give it to the receiver right away.

    Each delivery is signed: X-Atrium-Signature is sha256=<HMAC-SHA256 of
    "{X-Atrium-Timestamp}.{body}"> under the secret (see docs/notifications.md).
    """
    made = client(ctx).notifications.create_webhook(
        url, events=_values(events), group=group, enabled=not disabled
    )
    _show_created(made, as_json)


@app.command("add-email")
def add_email(
    ctx: typer.Context,
    address: Annotated[
        str | None, typer.Argument(help="Where to send (default: your account's e-mail).")
    ] = None,
    events: EventsOpt = None,
    group: GroupOpt = None,
    disabled: DisabledOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Add an e-mail channel (needs the server's SMTP settings)."""
    made = client(ctx).notifications.create_email(
        address, events=_values(events), group=group, enabled=not disabled
    )
    emit(made, as_json, lambda c: render_channels([c]))


@app.command("update")
def update_channel(
    ctx: typer.Context,
    channel_id: IdArg,
    url: Annotated[str | None, typer.Option("--url", help="A new webhook URL.")] = None,
    address: Annotated[str | None, typer.Option("--address", help="A new e-mail address.")] = None,
    events: Annotated[
        list[Event] | None,
        typer.Option("--event", "-e", help="Replace the reported end states; repeatable."),
    ] = None,
    group: GroupOpt = None,
    all_groups: Annotated[
        bool, typer.Option("--all-groups", help="Drop the group filter: report every group.")
    ] = False,
    enabled: Annotated[
        bool | None, typer.Option("--enable/--disable", help="Switch the channel on or off.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a channel; options left out stay as they are."""
    changes = _changes(url, address, events, group, all_groups, enabled)
    updated = client(ctx).notifications.update(channel_id, **changes)
    emit(updated, as_json, lambda c: render_channels([c]))


def _changes(
    url: str | None,
    address: str | None,
    events: list[Event] | None,
    group: str | None,
    all_groups: bool,
    enabled: bool | None,
) -> ChannelChanges:
    if group is not None and all_groups:
        raise typer.BadParameter("give --group or --all-groups, not both")
    changes: ChannelChanges = {}
    if url is not None:
        changes["url"] = url
    if address is not None:
        changes["address"] = address
    if events:
        changes["events"] = [e.value for e in events]
    if group is not None or all_groups:
        changes["group"] = group
    if enabled is not None:
        changes["enabled"] = enabled
    if not changes:
        raise typer.BadParameter("nothing to change: give at least one option")
    return changes


@app.command("remove")
def remove_channel(
    ctx: typer.Context, channel_id: IdArg, yes: YesOpt = False, as_json: JsonOpt = False
) -> None:
    """Remove a channel; its messages not yet sent are dropped."""
    confirm(f"Remove notification channel {channel_id}?", yes)
    client(ctx).notifications.delete(channel_id)
    done(as_json, f"Removed channel {channel_id}.", {"id": channel_id, "removed": True})


@app.command("rotate-secret")
def rotate_secret(ctx: typer.Context, channel_id: IdArg, as_json: JsonOpt = False) -> None:
    """Give a webhook a new signing secret, printed once; the old one stops at once."""
    _show_created(client(ctx).notifications.rotate_secret(channel_id), as_json)


@app.command("test")
def test_channel(ctx: typer.Context, channel_id: IdArg, as_json: JsonOpt = False) -> None:
    """Send a test event now and say whether it arrived (exit code 1 if not)."""
    delivery = client(ctx).notifications.test(channel_id)
    if as_json:
        print_json(delivery)
    elif delivery.status == "sent":
        console.print(f"Test event {delivery.id} delivered.")
    else:
        typer.echo(f"Not delivered: {delivery.last_error or delivery.status}.", err=True)
        if delivery.next_attempt_at is not None:
            typer.echo(f"It is tried again from {delivery.next_attempt_at:%H:%M:%S}.", err=True)
    if delivery.status != "sent":
        raise typer.Exit(1)


@app.command("deliveries")
def list_deliveries(
    ctx: typer.Context,
    channel_id: IdArg,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="How many.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Show a channel's latest messages: sent, pending (with the last error) or failed."""
    page = client(ctx).notifications.deliveries(channel_id, limit=limit)
    emit(page.items, as_json, render_deliveries)


def _values(events: list[Event] | None) -> list[str] | None:
    return [e.value for e in events] if events else None


def _show_created(made: CreatedNotificationChannel, as_json: bool) -> None:
    if as_json:
        print_json(made)
        return
    console.print(render_channels([made]))
    typer.echo(made.secret)
    typer.echo("Store this signing secret in the receiver now: it is not shown again.", err=True)


def render_channels(channels: list[NotificationChannel]) -> RenderableType:
    rows = [
        (c.id, c.kind, c.url or c.address, c.events, c.group or "(all)", c.enabled,
         c.secret_prefix)
        for c in channels
    ]  # fmt: skip
    return table(["ID", "KIND", "TARGET", "EVENTS", "GROUP", "ENABLED", "SECRET"], rows)


def render_deliveries(items: list[NotificationDelivery]) -> RenderableType:
    rows = [
        (d.id, d.event, d.job_id, d.status, d.attempts, d.created_at, d.sent_at, d.last_error)
        for d in items
    ]
    columns = ["ID", "EVENT", "JOB", "STATUS", "TRIES", "CREATED", "SENT", "LAST ERROR"]
    return table(columns, rows)
