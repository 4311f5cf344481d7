"""Typed views of the datasets API (see docs/datasets.md, "Shapes") and of transfer results."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self

Json = Mapping[str, Any]


def _dt(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


@dataclass(slots=True)
class FileEntry:
    """One file of a version: where it goes, its bytes' BLAKE3 hash and, above 64 MiB, the
    ordered keys of its 64 MiB chunks. (Not frozen: a million of these are built 4x faster.)"""

    path: str
    size: int
    hash: str
    mode: int = 0o644
    chunks: tuple[str, ...] | None = None

    @classmethod
    def from_api(cls, data: Json) -> Self:
        chunks = data.get("chunks")
        return cls(
            data["path"],
            int(data["size"]),
            data["hash"],
            int(data.get("mode") or 0o644),
            tuple(chunks) if chunks else None,
        )

    def to_api(self) -> dict[str, Any]:
        chunks = list(self.chunks) if self.chunks else None
        return {"path": self.path, "size": self.size, "hash": self.hash, "mode": self.mode,
                "chunks": chunks}  # fmt: skip

    @property
    def blobs(self) -> tuple[str, ...]:
        """The blob keys holding this file's bytes, in order."""
        return self.chunks or (self.hash,)


@dataclass(frozen=True)
class Dataset:
    name: str
    group: str
    description: str | None
    created_at: datetime | None
    created_by: str | None
    latest: str | None
    version_count: int
    shared_from: str | None
    access: str

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(
            name=data["name"],
            group=data["group"],
            description=data.get("description"),
            created_at=_dt(data.get("created_at")),
            created_by=data.get("created_by"),
            latest=data.get("latest"),
            version_count=int(data.get("version_count") or 0),
            shared_from=data.get("shared_from"),
            access=data.get("access") or "owner",
        )


@dataclass(frozen=True)
class VersionSummary:
    files: int = 0
    bytes: int = 0
    added: int = 0
    removed: int = 0
    changed: int = 0

    @classmethod
    def from_api(cls, data: Json | None) -> Self:
        data = data or {}
        names = ("files", "bytes", "added", "removed", "changed")
        return cls(**{n: int(data.get(n) or 0) for n in names})


@dataclass(frozen=True)
class Version:
    number: int
    name: str
    message: str | None
    author: str | None
    created_at: datetime | None
    parent: str | None
    tags: list[str]
    summary: VersionSummary

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(
            number=int(data["number"]),
            name=data.get("name") or f"v{data['number']}",
            message=data.get("message"),
            author=data.get("author"),
            created_at=_dt(data.get("created_at")),
            parent=data.get("parent"),
            tags=list(data.get("tags") or []),
            summary=VersionSummary.from_api(data.get("summary")),
        )


@dataclass(frozen=True)
class FileChange:
    path: str
    old: FileEntry
    new: FileEntry

    @classmethod
    def from_api(cls, data: Json) -> Self:
        old, new = data["old"], data["new"]
        return cls(data["path"], FileEntry.from_api(old), FileEntry.from_api(new))


@dataclass(frozen=True)
class DiffEntry:
    """One changed path: ``change`` is ``"added"`` (``old`` is None), ``"removed"`` (``new``
    is None) or ``"modified"``."""

    path: str
    change: str
    old: FileEntry | None
    new: FileEntry | None

    @classmethod
    def from_api(cls, data: Json) -> Self:
        old, new = data.get("old"), data.get("new")
        return cls(
            data["path"],
            data["change"],
            FileEntry.from_api(old) if old else None,
            FileEntry.from_api(new) if new else None,
        )


@dataclass(frozen=True)
class DiffPage:
    """One page of a diff, by path; ``summary`` (added, removed, modified, bytes_added,
    bytes_removed) totals the whole diff on every page."""

    from_version: str
    to_version: str
    summary: dict[str, int]
    items: list[DiffEntry]
    next_cursor: str | None = None

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(
            from_version=data["from"],
            to_version=data["to"],
            summary={k: int(v) for k, v in (data.get("summary") or {}).items()},
            items=[DiffEntry.from_api(e) for e in data.get("items") or []],
            next_cursor=data.get("next_cursor"),
        )

    def __iter__(self) -> Iterator[DiffEntry]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class Diff:
    """A whole diff: every page read, the changes sorted by kind (each in path order)."""

    from_version: str
    to_version: str
    added: list[FileEntry]
    removed: list[FileEntry]
    modified: list[FileChange]
    summary: dict[str, int]

    @classmethod
    def from_pages(cls, pages: Iterable[DiffPage]) -> Self:
        pages = list(pages)
        entries = [e for page in pages for e in page.items]
        return cls(
            from_version=pages[0].from_version,
            to_version=pages[0].to_version,
            added=[e.new for e in entries if e.change == "added" and e.new],
            removed=[e.old for e in entries if e.change == "removed" and e.old],
            modified=[
                FileChange(e.path, e.old, e.new)
                for e in entries
                if e.change == "modified" and e.old and e.new
            ],
            summary=pages[-1].summary,
        )


@dataclass(frozen=True)
class Tag:
    tag: str
    version: str

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(data["tag"], data["version"])


@dataclass(frozen=True)
class Grant:
    group: str
    access: str
    created_at: datetime | None = None

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(data["group"], data["access"], _dt(data.get("created_at")))


@dataclass(frozen=True)
class Damage:
    path: str
    hash: str
    problem: str

    @classmethod
    def from_api(cls, data: Json) -> Self:
        return cls(data["path"], data["hash"], data["problem"])


@dataclass(frozen=True)
class VerifyReport:
    """The server re-read every blob of a version: how many, and which ones were damaged."""

    checked: int
    damaged: list[Damage]
    bytes: int = 0

    @classmethod
    def from_api(cls, data: Json) -> Self:
        damaged = [Damage.from_api(d) for d in data.get("damaged") or []]
        return cls(int(data.get("checked") or 0), damaged, int(data.get("bytes") or 0))


@dataclass(frozen=True)
class Progress:
    """A progress report: ``phase`` is ``"hash"``, ``"upload"`` or ``"download"``.

    ``files_done``/``files_total`` count files whose bytes had to be read or moved in this
    phase (not files that were already up to date); bytes likewise.
    """

    phase: str
    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int


@dataclass(frozen=True)
class PushResult:
    dataset: str
    version: Version
    files: int
    bytes: int
    hashed_files: int
    uploaded_blobs: int
    uploaded_bytes: int


@dataclass(frozen=True)
class PullResult:
    dataset: str
    version: str
    files: int
    bytes: int
    downloaded_files: int
    downloaded_bytes: int
    skipped_files: int
    deleted_files: int = 0


@dataclass(frozen=True)
class Status:
    """How a directory differs from the version it was pushed as or pulled from."""

    dataset: str
    version: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def clean(self) -> bool:
        return not (self.added or self.removed or self.modified)
