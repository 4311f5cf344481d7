"""Datasets on the client side: scanning, hashing, packing and moving files.

``client.datasets`` (a :class:`DatasetsResource`) is the entry point; the other modules are
the transfer engine it drives.
"""

from atrium.sdk.datasets.errors import LocalDataError
from atrium.sdk.datasets.models import (
    Damage,
    Dataset,
    Diff,
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
from atrium.sdk.datasets.resource import DatasetsResource

__all__ = [
    "Damage",
    "Dataset",
    "DatasetRef",
    "DatasetsResource",
    "Diff",
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
