"""How ``atrium datasets`` shows things: tables, summaries and live progress bars.

Rich is imported where something is drawn: ``--json`` output and runs without a terminal
(no progress bars) do not pay for importing it.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from atrium.cli._output import details, fmt_bytes, table
from atrium.sdk.datasets import (
    Dataset,
    Diff,
    FileEntry,
    Grant,
    Progress,
    PullResult,
    PushResult,
    Status,
    Tag,
    VerifyReport,
    Version,
)

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

PHASES = {"hash": "Hashing", "upload": "Uploading", "download": "Downloading"}


class ProgressBars:
    """Rich bars on stderr, one per phase, with bytes, files and rate; a no-op when disabled."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._tasks: dict[str, TaskID] = {}
        self._bars = _rich_bars() if enabled else None

    def __enter__(self) -> ProgressBars:
        if self._bars is not None:
            self._bars.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bars is not None:
            self._bars.stop()

    def __call__(self, report: Progress) -> None:
        if self._bars is None:
            return
        files = f"{report.files_done:,}/{report.files_total:,} files"
        task = self._tasks.get(report.phase)
        if task is None:
            label = PHASES.get(report.phase, report.phase)
            task = self._bars.add_task(label, total=report.bytes_total, files=files)
            self._tasks[report.phase] = task
        self._bars.update(task, completed=report.bytes_done, total=report.bytes_total, files=files)


def _rich_bars() -> RichProgress:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    return Progress(
        TextColumn("{task.description:<11}"),
        BarColumn(),
        DownloadColumn(binary_units=True),
        TextColumn("{task.fields[files]}"),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    )


def render_datasets(items: list[Dataset]) -> RenderableType:
    rows = [
        (d.name, d.latest, d.version_count, d.shared_from or d.group, d.access, d.description)
        for d in items
    ]
    return table(["NAME", "LATEST", "VERSIONS", "OWNER", "ACCESS", "DESCRIPTION"], rows)


def render_dataset(dataset: Dataset, tags: list[Tag], grants: list[Grant] | None) -> RenderableType:
    pairs = [
        ("Dataset", f"{dataset.group}/{dataset.name}"),
        ("Description", dataset.description),
        ("Latest", dataset.latest),
        ("Versions", dataset.version_count),
        ("Access", dataset.access),
        ("Shared from", dataset.shared_from),
        ("Created", dataset.created_at),
        ("Created by", dataset.created_by),
        ("Tags", [f"{t.tag}={t.version}" for t in tags]),
    ]
    if grants is not None:
        pairs.append(("Grants", [f"{g.group} ({g.access})" for g in grants]))
    return details(pairs)


def render_versions(versions: list[Version]) -> RenderableType:
    rows = [
        (
            v.name,
            v.created_at,
            v.author,
            v.summary.files,
            fmt_bytes(v.summary.bytes),
            f"+{v.summary.added} -{v.summary.removed} ~{v.summary.changed}",
            v.tags,
            v.message,
        )
        for v in versions
    ]
    columns = ["VERSION", "CREATED", "AUTHOR", "FILES", "SIZE", "CHANGES", "TAGS", "MESSAGE"]
    return table(columns, rows)


def render_files(entries: list[FileEntry]) -> RenderableType:
    rows = [(e.path, fmt_bytes(e.size), f"{e.mode:o}", e.hash[:16]) for e in entries]
    return table(["PATH", "SIZE", "MODE", "HASH"], rows)


def render_diff(diff: Diff) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    rows: list[tuple[Text, str, str]] = []
    rows += [(Text("+", style="green"), e.path, fmt_bytes(e.size)) for e in diff.added]
    rows += [(Text("-", style="red"), e.path, fmt_bytes(e.size)) for e in diff.removed]
    rows += [
        (Text("~", style="yellow"), c.path, f"{fmt_bytes(c.old.size)} -> {fmt_bytes(c.new.size)}")
        for c in diff.modified
    ]
    rows.sort(key=lambda row: row[1])
    totals = diff.summary  # of the whole diff, also when --limit left rows out
    summary = Text(
        f"{diff.from_version} -> {diff.to_version}: {totals.get('added', 0)} added, "
        f"{totals.get('removed', 0)} removed, {totals.get('modified', 0)} modified "
        f"(+{fmt_bytes(totals.get('bytes_added', 0))} -{fmt_bytes(totals.get('bytes_removed', 0))})"
    )
    return Group(table(["", "PATH", "SIZE"], rows), summary) if rows else summary


def render_status(status: Status) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    head = f"{status.dataset} {status.version}"
    if status.clean:
        return Text(f"{head}: nothing changed ({status.unchanged:,} files)")
    lines = [Text(f"{head}: {len(status.added)} added, {len(status.modified)} modified, "
                  f"{len(status.removed)} removed, {status.unchanged:,} unchanged")]  # fmt: skip
    for label, style, paths in (
        ("modified", "yellow", status.modified),
        ("added", "green", status.added),
        ("removed", "red", status.removed),
    ):
        lines += [Text(f"  {label + ':':<10}{path}", style=style) for path in paths]
    return Group(*lines)


def render_push(result: PushResult) -> RenderableType:
    from rich.text import Text

    return Text(
        f"Pushed {result.dataset} {result.version.name}: {result.files:,} files "
        f"({fmt_bytes(result.bytes)}); uploaded {result.uploaded_blobs:,} blobs "
        f"({fmt_bytes(result.uploaded_bytes)}), hashed {result.hashed_files:,} files"
    )


def render_pull(result: PullResult) -> RenderableType:
    from rich.text import Text

    text = (
        f"Pulled {result.dataset} ({result.version}): {result.files:,} files "
        f"({fmt_bytes(result.bytes)}); downloaded {result.downloaded_files:,} "
        f"({fmt_bytes(result.downloaded_bytes)}), {result.skipped_files:,} already present"
    )
    if result.deleted_files:
        text += f", {result.deleted_files:,} deleted"
    return Text(text)


def render_tags(tags: list[Tag]) -> RenderableType:
    return table(["TAG", "VERSION"], [(t.tag, t.version) for t in tags])


def render_grants(grants: list[Grant]) -> RenderableType:
    return table(["GROUP", "ACCESS", "SINCE"], [(g.group, g.access, g.created_at) for g in grants])


def render_verify(report: VerifyReport) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    if not report.damaged:
        return Text(f"Checked {report.checked:,} blobs: all sound.")
    rows = [(d.path, d.hash[:16], d.problem) for d in report.damaged]
    head = Text(f"Checked {report.checked:,} blobs: {len(report.damaged)} damaged.", style="red")
    return Group(head, table(["PATH", "HASH", "PROBLEM"], rows))
