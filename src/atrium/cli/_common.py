"""What every command module shares: global state, the SDK client, common options, parsing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from atrium.sdk import Client

JsonOpt = Annotated[
    bool,
    typer.Option("--json", help="Print machine-readable JSON on stdout instead of a table."),
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


class Role(StrEnum):
    """A member's role in a group."""

    member = "member"
    admin = "admin"


@dataclass
class CliState:
    """The global ``--url`` / ``--token`` options, read by every command."""

    url: str | None = None
    token: str | None = None


def client(ctx: typer.Context) -> Client:
    """An SDK client for this invocation: global options, then env, then the stored login."""
    from atrium.sdk import Client  # httpx and the SDK: only commands that talk to a server

    state = ctx.find_object(CliState) or CliState()
    sdk = Client(url=state.url, token=state.token)
    ctx.call_on_close(sdk.close)
    return sdk


def confirm(question: str, yes: bool) -> None:
    """Ask before a destructive action (on stderr, so that ``--json`` output stays clean)."""
    if not yes:
        typer.confirm(question, abort=True, err=True)


def ask_password(password: str | None, *, new: bool) -> str:
    """The ``--password`` value, or a hidden prompt (asked twice when setting a new one)."""
    if password is not None:
        return password
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=new, err=True))


def bytes_input(value: str) -> int | str:
    """A byte amount for the API: plain digits as an int, "16Gi"-style strings as they are."""
    value = value.strip()
    return int(value) if value.isdigit() else value


_DURATION = re.compile(r"^(\d+)([smhdw])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_time(value: str) -> datetime:
    """An ISO 8601 timestamp, or a duration ago such as ``15m``, ``2h``, ``7d``, ``1w``."""
    match = _DURATION.match(value.strip())
    if match:
        seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        return datetime.now(UTC) - timedelta(seconds=seconds)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is neither an ISO 8601 time nor a duration like 15m, 2h, 7d"
        ) from None
    # A bare date or time is meant in the user's local timezone, not the server's.
    return parsed if parsed.tzinfo else parsed.astimezone()


def parse_pairs(values: list[str] | None, option: str) -> dict[str, str]:
    """Repeated ``--env K=V`` / ``--input NAME=REF`` options as a dict (a value may hold ``=``)."""
    result = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"{item!r} is not NAME=VALUE", param_hint=option)
        result[key] = value
    return result
