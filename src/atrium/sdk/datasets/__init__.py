"""Datasets on the client side: scanning, hashing, packing and moving files.

``client.datasets`` (a :class:`DatasetsResource`) is the entry point; the other modules are
the transfer engine it drives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from atrium.sdk.datasets.errors import LocalDataError
from atrium.sdk.datasets.models import (
    Damage,
    Dataset,
    Diff,
    DiffEntry,
    DiffPage,
    FileChange,
    FileEntry,
    Grant,
    Progress,
    PullResult,
    PushResult,
    Status,
    Tag,
    VerifyReport,
    Version,
    VersionSummary,
)
from atrium.sdk.datasets.refs import DatasetRef, parse_ref

if TYPE_CHECKING:
    from atrium.sdk.datasets.resource import DatasetsResource

__all__ = [
    "Damage",
    "Dataset",
    "DatasetRef",
    "DatasetsResource",
    "Diff",
    "DiffEntry",
    "DiffPage",
    "FileChange",
    "FileEntry",
    "Grant",
    "LocalDataError",
    "Progress",
    "PullResult",
    "PushResult",
    "Status",
    "Tag",
    "VerifyReport",
    "Version",
    "VersionSummary",
    "parse_ref",
]


def __getattr__(name: str) -> Any:
    # The resource (httpx, the upload and download engines) loads on first use: the offline
    # commands (status) need only the models and the local state.
    if name == "DatasetsResource":
        from atrium.sdk.datasets.resource import DatasetsResource

        return DatasetsResource
    raise AttributeError(f"module 'atrium.sdk.datasets' has no attribute {name!r}")
