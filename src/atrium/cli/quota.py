"""``atrium quota``: limits of groups and members, and what a group uses now."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, cast

import typer
from rich.console import RenderableType
from rich.text import Text

from atrium.cli._common import JsonOpt, bytes_input, client
from atrium.cli._output import emit, fmt_bytes, fmt_number, table
from atrium.sdk import Quota, Usage
from atrium.sdk.resources.quotas import QuotaLimits

app = typer.Typer(help="Show and set quotas, and a group's usage.", no_args_is_help=True)

GroupArg = Annotated[str, typer.Argument(help="The group's name.", show_default=False)]
UserOpt = Annotated[
    str | None, typer.Option("--user", "-u", help="A member's quota instead of the group's.")
]
_LIMIT_HELP = ' ("none" or "unlimited" removes the limit)'

LABELS = {
    "cpu": "CPU",
    "memory": "Memory",
    "gpu": "GPU",
    "running_jobs": "Running jobs",
    "deployments": "Deployments",
    "storage_bytes": "Storage",
}
_BYTE_RESOURCES = {"memory", "storage_bytes"}
_UNLIMITED = {"none", "unlimited", "null"}
BAR_WIDTH = 20


@app.command("get")
def get_quota(
    ctx: typer.Context, group: GroupArg, user: UserOpt = None, as_json: JsonOpt = False
) -> None:
    """Show the quota of a group, or of one member with --user."""
    quotas = client(ctx).quotas
    quota = quotas.get(group) if user is None else quotas.get_member(group, user)
    emit(quota, as_json, render_quota)


def _option(name: str, what: str) -> Any:
    return typer.Option(name, help=what + _LIMIT_HELP, show_default=False)


@app.command("set")
def set_quota(
    ctx: typer.Context,
    group: GroupArg,
    user: UserOpt = None,
    cpu: Annotated[str | None, _option("--cpu", "CPU cores, e.g. 8 or 0.5")] = None,
    memory: Annotated[str | None, _option("--memory", "Memory, e.g. 16Gi")] = None,
    gpu: Annotated[str | None, _option("--gpu", "Number of GPUs")] = None,
    running_jobs: Annotated[
        str | None, _option("--running-jobs", "Jobs running at the same time")
    ] = None,
    deployments: Annotated[str | None, _option("--deployments", "Model deployments")] = None,
    storage: Annotated[str | None, _option("--storage", "Storage, e.g. 10Gi")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change some limits of a group (platform admins) or of a member (group admins)."""
    limits = _limits(
        cpu=cpu,
        memory=memory,
        gpu=gpu,
        running_jobs=running_jobs,
        deployments=deployments,
        storage_bytes=storage,
    )
    quotas = client(ctx).quotas
    if user is None:
        quota = quotas.update(group, **limits)
    else:
        quota = quotas.update_member(group, user, **limits)
    emit(quota, as_json, render_quota)


@app.command("usage")
def show_usage(ctx: typer.Context, group: GroupArg, as_json: JsonOpt = False) -> None:
    """Show what a group uses now against its quota."""
    emit(client(ctx).quotas.usage(group), as_json, render_usage)


def _limits(**raw: str | None) -> QuotaLimits:
    """Parse the given options; each value is a number, a byte size, or none/unlimited."""
    limits: dict[str, object] = {}
    for key, value in raw.items():
        if value is not None:
            limits[key] = _parse_limit(key, value)
    if not limits:
        raise typer.BadParameter("nothing to change: pass at least one limit (see --help)")
    return cast(QuotaLimits, limits)


def _parse_limit(key: str, value: str) -> float | int | str | None:
    if value.strip().lower() in _UNLIMITED:
        return None
    if key in _BYTE_RESOURCES:
        return bytes_input(value)
    parse: Callable[[str], float | int] = _number if key == "cpu" else int
    try:
        return parse(value)
    except ValueError:
        option = "--" + key.replace("_", "-")
        raise typer.BadParameter(
            f"{value!r} is not a number (or none/unlimited)", param_hint=option
        ) from None


def _number(value: str) -> float | int:
    number = float(value)
    return int(number) if number.is_integer() else number


def fmt_amount(key: str, value: float | None) -> str:
    if value is None:
        return "unlimited"
    return fmt_bytes(value) if key in _BYTE_RESOURCES else fmt_number(value)


def render_quota(quota: Quota) -> RenderableType:
    rows = [(label, fmt_amount(key, getattr(quota, key))) for key, label in LABELS.items()]
    return table(["RESOURCE", "LIMIT"], rows)


def render_usage(usage: Usage) -> RenderableType:
    rows = [
        (
            LABELS.get(key, key),
            fmt_amount(key, item.used),
            fmt_amount(key, item.limit),
            usage_bar(item.used, item.limit),
        )
        for key, item in usage.resources.items()
    ]
    out = table(["RESOURCE", "USED", "LIMIT", "USAGE"], rows)
    out.title = f"Usage of {usage.group}"
    return out


def usage_bar(used: float, limit: float | None) -> Text:
    """``██████░░░░ 60%``: green, then yellow from 75%, red from 90%."""
    if limit is None:
        return Text("no limit", style="dim")
    ratio = used / limit if limit else (1.0 if used else 0.0)
    filled = round(min(ratio, 1.0) * BAR_WIDTH)
    style = "green" if ratio < 0.75 else "yellow" if ratio < 0.9 else "red"
    bar = Text("█" * filled, style=style)
    bar.append("░" * (BAR_WIDTH - filled), style="dim")
    bar.append(f" {ratio:.0%}")
    return bar
