"""Datasets, versions, manifests, tags, grants."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from atrium.contracts.common import Description, Input, Name

BlobHash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Access = Literal["read", "write"]
MAX_FILES = 1_000_000
MAX_PARTS = 1024


class Dataset(BaseModel):
    name: str
    group: str
    description: str | None
    created_at: datetime
    created_by: str | None
    latest: str | None
    version_count: int
    shared_from: str | None = Field(description="The owner group when shared with the caller")
    access: Literal["owner", "read", "write"]


class DatasetCreate(Input):
    name: Name
    description: Description | None = None


class DatasetUpdate(Input):
    description: Description | None = None


class FileEntry(Input):
    path: str = Field(min_length=1, max_length=1024)
    size: int = Field(ge=0, le=2**50)
    hash: BlobHash
    mode: int = Field(default=0o644, ge=0, le=0o7777)
    chunks: list[BlobHash] | None = Field(default=None, max_length=2**20)


class VersionCreate(Input):
    """A version's manifest: inline ``files``, or ``manifest``, the keys of uploaded blobs that
    each hold a JSON array of file entries (so plan and commit need not carry it twice)."""

    message: str = Field(default="", max_length=10_000)
    parent: str | None = Field(default=None, max_length=100)
    files: list[FileEntry] | None = Field(default=None, max_length=MAX_FILES)
    manifest: list[BlobHash] | None = Field(default=None, min_length=1, max_length=MAX_PARTS)

    @model_validator(mode="after")
    def _one_manifest(self) -> VersionCreate:
        if (self.files is None) == (self.manifest is None):
            raise ValueError("give either files or manifest, not both or neither")
        return self


class VersionSummary(BaseModel):
    files: int
    bytes: int
    added: int
    removed: int
    changed: int


class Version(BaseModel):
    number: int
    name: str
    message: str
    author: str | None
    created_at: datetime
    parent: str | None
    tags: list[str]
    summary: VersionSummary


class FilePage(BaseModel):
    items: list[FileEntry]
    next_cursor: str | None = None


class DiffSummary(BaseModel):
    added: int
    removed: int
    modified: int
    bytes_added: int
    bytes_removed: int


class DiffEntry(BaseModel):
    path: str
    change: Literal["added", "removed", "modified"]
    old: FileEntry | None = Field(description="The file in the from version; null when added")
    new: FileEntry | None = Field(description="The file in the to version; null when removed")


class DiffPage(BaseModel):
    """One page of the changes between two versions, ordered by path."""

    from_: str = Field(alias="from")
    to: str
    summary: DiffSummary = Field(description="Totals of the whole diff, not only of this page")
    items: list[DiffEntry]
    next_cursor: str | None = None

    model_config = {"populate_by_name": True}


class Tag(BaseModel):
    tag: str
    version: str


class TagSet(Input):
    version: str = Field(max_length=100)


class Grant(BaseModel):
    group: str
    access: Access
    created_at: datetime


class GrantSet(Input):
    access: Access


class HashList(Input):
    hashes: list[BlobHash] = Field(max_length=10_000)


class Missing(BaseModel):
    missing: list[str]


class Stored(BaseModel):
    stored: int
    bytes: int


class BlobStored(BaseModel):
    hash: str
    size: int


class Damage(BaseModel):
    path: str
    hash: str
    problem: str


class VerifyReport(BaseModel):
    checked: int
    bytes: int
    damaged: list[Damage]


class GcReport(BaseModel):
    dry_run: bool
    blobs: int = Field(description="Unreferenced blobs deleted (or that would be)")
    bytes: int
    kept_recent: int = Field(description="Unreferenced but younger than the grace period")
    metric_points: int = Field(default=0, description="Points of deleted runs' metrics dropped")


class GcRequest(Input):
    dry_run: bool = True
    grace_seconds: int = Field(default=3600, ge=0, le=30 * 86400)
