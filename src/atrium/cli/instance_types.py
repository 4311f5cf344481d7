"""``atrium instance-types``: the machine shapes workloads can run on."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import RenderableType

from atrium.cli._common import JsonOpt, YesOpt, bytes_input, client, confirm
from atrium.cli._output import details, done, emit, fmt_bytes, fmt_number, table
from atrium.sdk import InstanceType
from atrium.sdk.resources.instance_types import InstanceTypeChanges

app = typer.Typer(help="Manage instance types (platform admins).", no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(help="The instance type's name.", show_default=False)]
DisplayNameOpt = Annotated[str | None, typer.Option("--display-name", help="Name to show.")]
DescriptionOpt = Annotated[
    str | None, typer.Option("--description", help="What the instance type is for.")
]
GpuOpt = Annotated[int | None, typer.Option("--gpu", min=0, help="Number of GPUs.")]
GlobalOpt = Annotated[
    bool | None,
    typer.Option(
        "--global/--no-global", help="Usable by every group, or only by the --group ones."
    ),
]
GroupsOpt = Annotated[
    list[str] | None,
    typer.Option("--group", "-g", help="A group that may use it (repeat for several)."),
]


@app.command("list")
def list_instance_types(
    ctx: typer.Context,
    group: Annotated[
        str | None, typer.Option("--group", help="Only those this group may use.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List instance types."""
    emit(list(client(ctx).instance_types.iter_all(group)), as_json, render_instance_types)


@app.command("get")
def get_instance_type(ctx: typer.Context, name: NameArg, as_json: JsonOpt = False) -> None:
    """Show one instance type."""
    emit(client(ctx).instance_types.get(name), as_json, render_instance_type)


@app.command("create")
def create_instance_type(
    ctx: typer.Context,
    name: NameArg,
    cpu: Annotated[float, typer.Option("--cpu", min=0, help="CPU cores, e.g. 4 or 0.5.")],
    memory: Annotated[str, typer.Option("--memory", help="Memory, e.g. 16Gi or 512Mi.")],
    gpu: GpuOpt = None,
    display_name: DisplayNameOpt = None,
    description: DescriptionOpt = None,
    is_global: GlobalOpt = None,
    groups: GroupsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an instance type."""
    created = client(ctx).instance_types.create(
        name,
        cpu=cpu,
        memory=bytes_input(memory),
        gpu=gpu,
        display_name=display_name,
        description=description,
        is_global=is_global,
        groups=groups,
    )
    emit(created, as_json, render_instance_type)


@app.command("update")
def update_instance_type(
    ctx: typer.Context,
    name: NameArg,
    cpu: Annotated[float | None, typer.Option("--cpu", min=0, help="CPU cores.")] = None,
    memory: Annotated[str | None, typer.Option("--memory", help="Memory, e.g. 16Gi.")] = None,
    gpu: GpuOpt = None,
    display_name: DisplayNameOpt = None,
    description: DescriptionOpt = None,
    is_global: GlobalOpt = None,
    groups: GroupsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change an instance type; --group replaces the list of groups that may use it."""
    changes = InstanceTypeChanges()
    if cpu is not None:
        changes["cpu"] = cpu
    if memory is not None:
        changes["memory"] = bytes_input(memory)
    if gpu is not None:
        changes["gpu"] = gpu
    _add_descriptive(changes, display_name, description, is_global, groups)
    if not changes:
        raise typer.BadParameter("nothing to change: pass at least one option (see --help)")
    emit(client(ctx).instance_types.update(name, **changes), as_json, render_instance_type)


def _add_descriptive(
    changes: InstanceTypeChanges,
    display_name: str | None,
    description: str | None,
    is_global: bool | None,
    groups: list[str] | None,
) -> None:
    if display_name is not None:
        changes["display_name"] = display_name or None
    if description is not None:
        changes["description"] = description or None
    if is_global is not None:
        changes["is_global"] = is_global
    if groups:
        changes["groups"] = groups


@app.command("delete")
def delete_instance_type(
    ctx: typer.Context, name: NameArg, yes: YesOpt = False, as_json: JsonOpt = False
) -> None:
    """Delete an instance type."""
    confirm(f"Delete instance type {name!r}?", yes)
    client(ctx).instance_types.delete(name)
    done(as_json, f"Deleted instance type {name}.", {"name": name, "deleted": True})


def render_instance_types(items: list[InstanceType]) -> RenderableType:
    rows = [
        (
            i.name,
            fmt_number(i.cpu),
            fmt_bytes(i.memory),
            i.gpu,
            i.is_global,
            "(all)" if i.is_global else i.groups,
        )
        for i in items
    ]
    return table(["NAME", "CPU", "MEMORY", "GPU", "GLOBAL", "GROUPS"], rows)


def render_instance_type(item: InstanceType) -> RenderableType:
    return details(
        [
            ("Name", item.name),
            ("Display name", item.display_name),
            ("Description", item.description),
            ("CPU", fmt_number(item.cpu)),
            ("Memory", fmt_bytes(item.memory)),
            ("GPU", item.gpu),
            ("Global", item.is_global),
            ("Groups", item.groups),
            ("Created", item.created_at),
        ]
    )
