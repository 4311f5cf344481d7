"""``atrium datasets``: versioned datasets; push and pull directories, browse versions."""

from __future__ import annotations

import base64
import os
import sys
from collections.abc import Iterable
from enum import StrEnum
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from atrium.cli import _datasets_view as view
from atrium.cli._common import JsonOpt, YesOpt, client, confirm
from atrium.cli._output import console, done, emit, print_json, to_jsonable
from atrium.sdk import Forbidden, NotFound
from atrium.sdk.datasets import Diff, local, parse_ref

if TYPE_CHECKING:
    from atrium.sdk.datasets import DatasetsResource, DiffPage, Grant

app = typer.Typer(
    help="Version datasets: push and pull directories, browse versions, tags and grants.",
    no_args_is_help=True,
)


def _dataset_spec(value: str) -> str:
    try:
        parse_ref(value, allow_version=False)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    return value


def _ref_spec(value: str) -> str:
    try:
        parse_ref(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    return value


DatasetArg = Annotated[
    str,
    typer.Argument(metavar="GROUP/NAME", help="The dataset.", callback=_dataset_spec),
]
RefArg = Annotated[
    str,
    typer.Argument(
        metavar="GROUP/NAME[@vN|:TAG]",
        help="A version (v3), a tag (:golden), or the latest when left out.",
        callback=_ref_spec,
    ),
]
GroupArg = Annotated[str, typer.Argument(metavar="GROUP", help="The other group.")]
JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs", "-j", min=1, max=64, help="Parallel transfers (default: 2 x CPUs, ≤ 8)."
    ),
]


LimitOpt = Annotated[
    int | None, typer.Option("--limit", min=1, help="Show at most this many (default: all).")
]
#: Changes per request when following a diff's pages (the server's largest page).
DIFF_PAGE = 10_000
T = TypeVar("T")


class Access(StrEnum):
    read = "read"
    write = "write"


def _bars(as_json: bool) -> view.ProgressBars:
    return view.ProgressBars(enabled=not as_json and sys.stderr.isatty())


def _first(items: Iterable[T], limit: int | None, what: str) -> list[T]:
    """Every item (the iterator follows the pages), or the first ``limit`` with a note on
    stderr when some were left out."""
    if limit is None:
        return list(items)
    taken = list(islice(items, limit + 1))
    if len(taken) > limit:
        typer.echo(f"Showing the first {limit} {what}; use a larger --limit to see more.", err=True)
    return taken[:limit]


@app.command("create")
def create(
    ctx: typer.Context,
    dataset: DatasetArg,
    description: Annotated[str | None, typer.Option("--description", help="What it holds.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an empty dataset in a group."""
    created = client(ctx).datasets.create(dataset, description=description)
    emit(created, as_json, lambda d: view.render_dataset(d, [], None))


@app.command("list")
def list_datasets(
    ctx: typer.Context,
    group: Annotated[str, typer.Argument(metavar="GROUP", help="The group.")],
    limit: LimitOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the datasets of a group, and those other groups share with it."""
    found = _first(client(ctx).datasets.iter_all(group), limit, "datasets")
    emit(found, as_json, view.render_datasets)


@app.command("show")
def show(ctx: typer.Context, dataset: DatasetArg, as_json: JsonOpt = False) -> None:
    """Show a dataset with its tags (and grants, to members of the owner group)."""
    datasets = client(ctx).datasets
    found = datasets.get(dataset)
    tags = list(datasets.iter_tags(dataset))
    grants: list[Grant] | None
    try:
        grants = list(datasets.iter_grants(dataset))
    except (Forbidden, NotFound):
        grants = None
    if as_json:
        print_json({**to_jsonable(found), "tags": tags, "grants": grants})
    else:
        console.print(view.render_dataset(found, tags, grants))


@app.command("update")
def update(
    ctx: typer.Context,
    dataset: DatasetArg,
    description: Annotated[str, typer.Option("--description", help="What it holds.")],
    as_json: JsonOpt = False,
) -> None:
    """Change a dataset's description (writers)."""
    updated = client(ctx).datasets.update(dataset, description=description)
    emit(updated, as_json, lambda d: view.render_dataset(d, [], None))


@app.command("delete")
def delete(
    ctx: typer.Context,
    dataset: Annotated[
        str,
        typer.Argument(
            metavar="GROUP/NAME[@vN|:TAG]",
            help="The dataset, or one of its versions to delete only that version.",
            callback=_ref_spec,
        ),
    ],
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Delete a dataset with all its versions, or one version (admins of the owner group)."""
    parsed = parse_ref(dataset)
    if parsed.ref is None:
        confirm(f"Delete dataset {dataset!r} and all its versions?", yes)
        client(ctx).datasets.delete(dataset)
        done(as_json, f"Deleted dataset {dataset}.", {"dataset": dataset, "deleted": True})
        return
    confirm(f"Delete version {dataset!r}?", yes)
    client(ctx).datasets.delete_version(dataset)
    result = {"dataset": f"{parsed.group}/{parsed.name}", "version": parsed.ref, "deleted": True}
    done(as_json, f"Deleted version {dataset}.", result)


@app.command("push")
def push(
    ctx: typer.Context,
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="The directory to push.", file_okay=False)
    ],
    dataset: Annotated[
        str | None,
        typer.Argument(
            metavar="[GROUP/NAME]", help="The dataset; by default the one DIR was pulled from."
        ),
    ] = None,
    message: Annotated[str, typer.Option("--message", "-m", help="What changed.")] = "",
    parent: Annotated[
        str | None,
        typer.Option("--parent", help="Fail unless this version (vN) is still the latest."),
    ] = None,
    jobs: JobsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Upload what the server lacks of DIR and commit it as a new version."""
    if dataset is None:
        dataset = local.read_state(os.path.abspath(directory)).spec
    _dataset_spec(dataset)
    datasets = client(ctx).datasets
    with _bars(as_json) as bars:
        result = datasets.push(
            directory, dataset, message=message, parent=parent, progress=bars, workers=jobs
        )
    emit(result, as_json, view.render_push)


@app.command("pull")
def pull(
    ctx: typer.Context,
    ref: RefArg,
    directory: Annotated[
        Path | None,
        typer.Argument(
            metavar="[DIR]", help="Where to put the files (default: ./NAME).", file_okay=False
        ),
    ] = None,
    delete: Annotated[
        bool, typer.Option("--delete", help="Remove files of DIR that are not in the version.")
    ] = False,
    jobs: JobsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Download a version into DIR, skipping files already there with the right content."""
    target = directory or Path(parse_ref(ref).name)
    datasets = client(ctx).datasets
    with _bars(as_json) as bars:
        result = datasets.pull(ref, target, delete=delete, progress=bars, workers=jobs)
    emit(result, as_json, view.render_pull)


@app.command("status")
def status(
    ctx: typer.Context,
    directory: Annotated[
        Path, typer.Argument(metavar="[DIR]", help="A pushed or pulled directory.", file_okay=False)
    ] = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """What changed in DIR since the version it was pushed as or pulled from."""
    root = os.path.abspath(directory)
    state = local.read_state(root)
    base = local.read_manifest(root, state.version)
    if base is not None:  # offline: no client (creating one costs ~0.1 s of TLS setup)
        emit(local.compare(root, state, base), as_json, view.render_status)
    else:
        emit(client(ctx).datasets.status(directory), as_json, view.render_status)


@app.command("log")
def log(
    ctx: typer.Context, dataset: DatasetArg, limit: LimitOpt = None, as_json: JsonOpt = False
) -> None:
    """List the versions of a dataset, newest first."""
    versions = _first(client(ctx).datasets.iter_versions(dataset), limit, "versions")
    emit(versions, as_json, view.render_versions)


@app.command("diff")
def diff(
    ctx: typer.Context,
    dataset: DatasetArg,
    from_ref: Annotated[str, typer.Argument(metavar="FROM", help="A version (v1) or a tag.")],
    to_ref: Annotated[
        str, typer.Argument(metavar="[TO]", help="A version or a tag (default: latest).")
    ] = "latest",
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=1, help="Show at most this many changes (default: all)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Files added, removed and modified between two versions (the totals count them all)."""
    pages = _diff_pages(client(ctx).datasets, dataset, (from_ref, to_ref), limit)
    emit(Diff.from_pages(pages), as_json, view.render_diff)


def _diff_pages(
    datasets: DatasetsResource, dataset: str, refs: tuple[str, str], limit: int | None
) -> list[DiffPage]:
    """The diff's pages up to ``limit`` changes (each carries the totals of all of them)."""
    pages: list[DiffPage] = []
    shown = 0
    while not pages or pages[-1].next_cursor is not None:
        if limit is not None and shown >= limit:
            typer.echo(f"Showing the first {limit} changes; use a larger --limit.", err=True)
            break
        size = DIFF_PAGE if limit is None else min(limit - shown, DIFF_PAGE)
        cursor = pages[-1].next_cursor if pages else None
        pages.append(datasets.diff_page(dataset, *refs, limit=size, cursor=cursor))
        shown += len(pages[-1])
    return pages


@app.command("ls")
def ls(
    ctx: typer.Context,
    ref: RefArg,
    prefix: Annotated[
        str | None, typer.Argument(metavar="[PREFIX]", help="Only paths starting with this.")
    ] = None,
    limit: LimitOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the files of a version."""
    files = _first(client(ctx).datasets.iter_files(ref, prefix=prefix), limit, "files")
    emit(files, as_json, view.render_files)


@app.command("cat")
def cat(
    ctx: typer.Context,
    ref: RefArg,
    path: Annotated[str, typer.Argument(help="A file of the version.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the file's entry and its bytes in base64.")
    ] = False,
) -> None:
    """Write one file of a version to stdout, without pulling the rest."""
    with client(ctx).datasets.open(ref, path) as stream:
        if as_json:
            data = stream.read()
            print_json({"path": path, "size": len(data), "base64": base64.b64encode(data).decode()})
            return
        out = sys.stdout.buffer
        while piece := stream.read(1024 * 1024):
            out.write(piece)
        out.flush()


@app.command("tag")
def tag(
    ctx: typer.Context,
    ref: RefArg,
    name: Annotated[str, typer.Argument(metavar="TAG", help="The tag, e.g. golden.")],
    as_json: JsonOpt = False,
) -> None:
    """Point a tag at a version (GROUP/NAME@vN; the latest if no version is given)."""
    datasets = client(ctx).datasets
    parsed = parse_ref(ref)
    version = parsed.ref or datasets.get_version(ref).name
    result = datasets.set_tag(f"{parsed.group}/{parsed.name}", name, version)
    done(as_json, f"Tagged {parsed.group}/{parsed.name}@{result.version} as {result.tag}.", result)


@app.command("untag")
def untag(
    ctx: typer.Context,
    dataset: DatasetArg,
    name: Annotated[str, typer.Argument(metavar="TAG", help="The tag to remove.")],
    as_json: JsonOpt = False,
) -> None:
    """Remove a tag (`latest` cannot be removed)."""
    client(ctx).datasets.delete_tag(dataset, name)
    done(as_json, f"Removed tag {name} of {dataset}.", {"tag": name, "deleted": True})


@app.command("grant")
def grant(
    ctx: typer.Context,
    dataset: DatasetArg,
    group: GroupArg,
    access: Annotated[
        Access, typer.Option("--access", help="What the group may do.")
    ] = Access.read,
    as_json: JsonOpt = False,
) -> None:
    """Share a dataset with another group, read-only or read-write (owner group admins)."""
    result = client(ctx).datasets.set_grant(dataset, group, access.value)
    done(as_json, f"Granted {result.access} access to {dataset} to group {result.group}.", result)


@app.command("revoke")
def revoke(
    ctx: typer.Context, dataset: DatasetArg, group: GroupArg, as_json: JsonOpt = False
) -> None:
    """Stop sharing a dataset with a group."""
    client(ctx).datasets.revoke_grant(dataset, group)
    done(
        as_json,
        f"Revoked the access of group {group} to {dataset}.",
        {"group": group, "revoked": True},
    )


@app.command("tags")
def tags(
    ctx: typer.Context, dataset: DatasetArg, limit: LimitOpt = None, as_json: JsonOpt = False
) -> None:
    """List a dataset's tags: latest first, then the others by name."""
    found = _first(client(ctx).datasets.iter_tags(dataset), limit, "tags")
    emit(found, as_json, view.render_tags)


@app.command("grants")
def grants(
    ctx: typer.Context, dataset: DatasetArg, limit: LimitOpt = None, as_json: JsonOpt = False
) -> None:
    """List the groups a dataset is shared with (members of the owner group)."""
    found = _first(client(ctx).datasets.iter_grants(dataset), limit, "grants")
    emit(found, as_json, view.render_grants)


@app.command("verify")
def verify(ctx: typer.Context, ref: RefArg, as_json: JsonOpt = False) -> None:
    """Have the server re-read every blob of a version and report damage (exit code 1)."""
    report = client(ctx).datasets.verify(ref)
    emit(report, as_json, view.render_verify)
    if report.damaged:
        raise typer.Exit(1)
