"""Rendering: JSON for machines, Rich tables for people, one-line errors on stderr."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, is_dataclass
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar, cast

import typer
from typer.core import TyperGroup

from atrium.sdk import (
    AtriumConnectionError,
    AtriumError,
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    QuotaExceeded,
    ServerError,
    Unauthenticated,
    ValidationError,
)

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table
    from rich.text import Text

T = TypeVar("T")


class _LazyConsole:
    """Rich's console, made on first use: importing Rich costs ~20 ms of a command's start,
    which a command printing JSON (scripts, the benchmarks) never needs."""

    # No __dict__: attributes set on the proxy (monkeypatch too) go to the console.
    __slots__ = ("_console",)

    def __init__(self) -> None:
        object.__setattr__(self, "_console", None)

    def _get(self) -> Console:
        if self._console is None:
            from rich.console import Console

            # Rich looks up sys.stdout at each write, so CliRunner's captured stdout is honoured.
            object.__setattr__(self, "_console", Console(highlight=False))
        return cast("Console", self._console)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # e.g. __dict__: the proxy's own protocol, not the console's
            raise AttributeError(name)
        return getattr(self._get(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._get(), name, value)


console = cast("Console", _LazyConsole())

_HINTS: dict[type[AtriumError], str] = {
    Unauthenticated: "sign in with `atrium login` (or set ATRIUM_TOKEN)",
    Forbidden: "this needs more rights: ask a platform admin or an admin of the group",
    NotFound: "check the name or id (groups you are not a member of look as if they do not exist)",
    QuotaExceeded: "see `atrium quota usage GROUP`; an admin can raise it with `atrium quota set`",
    Conflict: "it clashes with the current state (a name taken, a limit, a used token): "
    "check it with the matching `get` or `list` command",
    ValidationError: "check the values; `--help` shows what each option takes",
    BadRequest: "check the command's arguments; `--help` shows what each option takes",
    ServerError: "the server failed: retry, or report the request id to its operator",
}


class AtriumGroup(TyperGroup):
    """Root command group: turns any SDK error into a one-line message and exit code 1."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except AtriumError as exc:
            report_error(exc)
            raise typer.Exit(1) from exc


def report_error(exc: AtriumError) -> None:
    """``Error: <message> (code, request id ...)``, the details, then a hint, on stderr."""
    typer.echo(f"Error: {exc.message}{_error_suffix(exc)}", err=True)
    for line in _detail_lines(exc.details):
        typer.echo(f"  {line}", err=True)
    hint = _hint(exc)
    if hint:
        typer.echo(f"Hint: {hint}", err=True)


def _error_suffix(exc: AtriumError) -> str:
    parts = [exc.code]
    if exc.request_id:
        parts.append(f"request id {exc.request_id}")
    return f" ({', '.join(parts)})"


def _hint(exc: AtriumError) -> str | None:
    if isinstance(exc, AtriumConnectionError):
        return None  # its message already says what to do
    return next((_HINTS[cls] for cls in type(exc).__mro__ if cls in _HINTS), None)


def _detail_lines(details: Any) -> list[str]:
    """Field errors as ``field: problem`` lines; other details as compact JSON."""
    if details is None:
        return []
    items = details if isinstance(details, list) else [details]
    return [_detail_line(item) for item in items]


def _detail_line(item: Any) -> str:
    if isinstance(item, dict) and ("msg" in item or "message" in item):
        loc = item.get("loc") or item.get("field") or ""
        where = ".".join(str(p) for p in loc if p != "body") if isinstance(loc, list) else loc
        what = item.get("msg") or item.get("message")
        return f"{where}: {what}" if where else str(what)
    return json.dumps(to_jsonable(item))


def to_jsonable(value: Any) -> Any:
    """SDK dataclasses, datetimes and enums as plain JSON values."""
    if is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(asdict(value))
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


def print_json(value: Any) -> None:
    typer.echo(json.dumps(to_jsonable(value), indent=2, ensure_ascii=False))


def emit(value: T, as_json: bool, render: Callable[[T], RenderableType]) -> None:
    """Print ``value`` as JSON, or as what ``render`` makes of it for a person."""
    if as_json:
        print_json(value)
    else:
        console.print(render(value))


def done(as_json: bool, message: str, data: Any) -> None:
    """Report an action without a resource to show (e.g. a deletion)."""
    if as_json:
        print_json(data)
    else:
        from rich.text import Text

        console.print(Text(message))


def table(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Table:
    from rich.table import Table

    out = Table(header_style="bold")
    for column in columns:
        # Fold rather than truncate: an id cut short by "…" could not be copied into a command.
        out.add_column(column, overflow="fold")
    for row in rows:
        out.add_row(*(cell(value) for value in row))
    return out


def details(pairs: Sequence[tuple[str, Any]]) -> Table:
    """A two-column ``field  value`` view of one object."""
    from rich.table import Table

    out = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
    out.add_column(style="bold")
    out.add_column()
    for name, value in pairs:
        out.add_row(name, cell(value))
    return out


def cell(value: Any) -> Text:
    """One table cell; Text (never markup) so that names like ``[x]`` print as they are."""
    from rich.text import Text

    if isinstance(value, Text):
        return value
    if value is None:
        return Text("-", style="dim")
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    if isinstance(value, datetime):
        return Text(fmt_time(value))
    if isinstance(value, list):
        return Text(", ".join(str(v) for v in value) or "-")
    return Text(str(value))


def fmt_time(value: datetime) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


_BINARY_UNITS = (("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10))


def fmt_bytes(value: float) -> str:
    """``17179869184`` -> ``16Gi``; the suffixes the API accepts as input."""
    for suffix, size in _BINARY_UNITS:
        if value >= size:
            return f"{round(value / size, 2):g}{suffix}"
    return f"{value:g}B"


def fmt_number(value: float) -> str:
    return f"{value:g}"
