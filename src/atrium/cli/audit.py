"""``atrium audit``: read the audit log (platform admins: all; group admins: their groups)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import RenderableType

from atrium.cli._common import JsonOpt, client, parse_time
from atrium.cli._output import emit, table
from atrium.sdk import AuditEvent, Client
from atrium.sdk.resources.audit import AuditFilters

app = typer.Typer(help="Read the audit log.", no_args_is_help=True)

MAX_PAGE = 500  # the API's largest page
_TIME_HELP = "ISO 8601 time (2024-05-01T12:00) or a duration ago (15m, 2h, 7d, 1w)."

GroupOpt = Annotated[str | None, typer.Option("--group", help="Only this group's events.")]
ActorOpt = Annotated[str | None, typer.Option("--actor", help="Only this user's actions.")]
ActionOpt = Annotated[
    str | None, typer.Option("--action", help="Only this action, e.g. group.create.")
]
ResourceTypeOpt = Annotated[
    str | None, typer.Option("--resource-type", help="Only events about this kind of resource.")
]
SinceOpt = Annotated[str | None, typer.Option("--since", help="From this time: " + _TIME_HELP)]
UntilOpt = Annotated[str | None, typer.Option("--until", help="Up to this time: " + _TIME_HELP)]


@app.command("list")
def list_events(
    ctx: typer.Context,
    group: GroupOpt = None,
    actor: ActorOpt = None,
    action: ActionOpt = None,
    resource_type: ResourceTypeOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Show at most this many.")] = 50,
    fetch_all: Annotated[
        bool, typer.Option("--all", help="Show every matching event (ignores --limit).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """List audit events matching the filters."""
    filters = _filters(group, actor, action, resource_type, since, until)
    sdk = client(ctx)
    events = list(sdk.audit.iter_all(**filters)) if fetch_all else _first(sdk, filters, limit)
    emit(events, as_json, render_events)


def _filters(
    group: str | None,
    actor: str | None,
    action: str | None,
    resource_type: str | None,
    since: str | None,
    until: str | None,
) -> AuditFilters:
    filters = AuditFilters()
    if group is not None:
        filters["group"] = group
    if actor is not None:
        filters["actor"] = actor
    if action is not None:
        filters["action"] = action
    if resource_type is not None:
        filters["resource_type"] = resource_type
    if since is not None:
        filters["since"] = parse_time(since)
    if until is not None:
        filters["until"] = parse_time(until)
    return filters


def _first(sdk: Client, filters: AuditFilters, limit: int) -> list[AuditEvent]:
    """Up to ``limit`` events, then a note on stderr if more were left out."""
    events: list[AuditEvent] = []
    cursor: str | None = None
    while len(events) < limit:
        size = min(limit - len(events), MAX_PAGE)
        page = sdk.audit.list(**filters, limit=size, cursor=cursor)
        events.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return events
    typer.echo(f"Showing the first {limit} events; use --all or a larger --limit.", err=True)
    return events


def render_events(events: list[AuditEvent]) -> RenderableType:
    rows = [
        (
            e.time,
            e.actor,
            e.action,
            f"{e.resource_type}/{e.resource_id}" if e.resource_id else e.resource_type,
            e.group,
            e.outcome,
        )
        for e in events
    ]
    return table(["TIME", "ACTOR", "ACTION", "RESOURCE", "GROUP", "OUTCOME"], rows)
