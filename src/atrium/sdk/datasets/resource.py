"""``client.datasets``: the datasets API, plus push, pull, status and open.

Datasets are named ``"group/name"``; versions ``"group/name@v3"`` (or ``@3``), a tag
``"group/name:golden"``, or ``"group/name"`` alone for the latest version.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator

from atrium.sdk._http import HttpCore
from atrium.sdk.datasets import local, sync
from atrium.sdk.datasets.errors import LocalDataError
from atrium.sdk.datasets.hashing import default_workers
from atrium.sdk.datasets.models import (
    Dataset,
    Diff,
    DiffEntry,
    DiffPage,
    FileEntry,
    Grant,
    PullResult,
    PushResult,
    Status,
    Tag,
    VerifyReport,
    Version,
)
from atrium.sdk.datasets.reader import open_entry
from atrium.sdk.datasets.refs import DatasetRef, parse_ref
from atrium.sdk.datasets.tracker import ProgressCallback
from atrium.sdk.datasets.wire import Wire
from atrium.sdk.models import Page
from atrium.sdk.resources._base import Resource, compact, seg

PathLike = str | os.PathLike[str]
#: Changes per diff request when following pages (the server's largest page).
DIFF_PAGE = 10_000


def _dataset(spec: str) -> DatasetRef:
    return parse_ref(spec, allow_version=False)


class DatasetsResource(Resource):
    def __init__(self, http: HttpCore) -> None:
        super().__init__(http)
        self._wire = Wire(http)

    # ---- datasets ----------------------------------------------------------------------

    def list(
        self, group: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[Dataset]:
        """Datasets owned by ``group`` and shared with it (``shared_from`` set)."""
        params = {"limit": limit, "cursor": cursor}
        return self._http.page(f"/groups/{seg(group)}/datasets", Dataset.from_api, params)

    def iter_all(self, group: str) -> Iterator[Dataset]:
        return self._http.iterate(f"/groups/{seg(group)}/datasets", Dataset.from_api)

    def create(self, dataset: str, *, description: str | None = None) -> Dataset:
        ref = _dataset(dataset)
        body = compact(name=ref.name, description=description)
        path = f"/groups/{seg(ref.group)}/datasets"
        return Dataset.from_api(self._http.request("POST", path, json=body))

    def get(self, dataset: str) -> Dataset:
        return Dataset.from_api(self._http.request("GET", _dataset(dataset).base))

    def update(self, dataset: str, *, description: str | None) -> Dataset:
        body = {"description": description}
        return Dataset.from_api(self._http.request("PATCH", _dataset(dataset).base, json=body))

    def delete(self, dataset: str) -> None:
        self._http.request("DELETE", _dataset(dataset).base)

    # ---- versions and files --------------------------------------------------------------

    def list_versions(
        self, dataset: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[Version]:
        """Versions, newest first."""
        path = f"{_dataset(dataset).base}/versions"
        return self._http.page(path, Version.from_api, {"limit": limit, "cursor": cursor})

    def iter_versions(self, dataset: str) -> Iterator[Version]:
        return self._http.iterate(f"{_dataset(dataset).base}/versions", Version.from_api)

    def get_version(self, ref: str) -> Version:
        """``"g/n@v3"``, ``"g/n:tag"`` or ``"g/n"`` (latest)."""
        return Version.from_api(self._http.request("GET", _version_path(parse_ref(ref))))

    def delete_version(self, ref: str) -> None:
        self._http.request("DELETE", _version_path(_pinned(ref)))

    def files(
        self,
        ref: str,
        *,
        prefix: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[FileEntry]:
        """One page of a version's files, ordered by path."""
        path = f"{_version_path(parse_ref(ref))}/files"
        params = {"prefix": prefix, "limit": limit, "cursor": cursor}
        return self._http.page(path, FileEntry.from_api, params)

    def iter_files(self, ref: str, *, prefix: str | None = None) -> Iterator[FileEntry]:
        parsed = parse_ref(ref)
        return sync.iter_files(self._wire, parsed.base, parsed.version, prefix)

    def diff(self, dataset: str, from_ref: str, to_ref: str = "latest") -> Diff:
        """The whole diff of two versions, read page after page (``diff_page`` reads one;
        its ``summary`` has the totals without reading the rest)."""
        pages = [self.diff_page(dataset, from_ref, to_ref, limit=DIFF_PAGE)]
        while pages[-1].next_cursor is not None:
            cursor = pages[-1].next_cursor
            pages.append(self.diff_page(dataset, from_ref, to_ref, limit=DIFF_PAGE, cursor=cursor))
        return Diff.from_pages(pages)

    def diff_page(
        self,
        dataset: str,
        from_ref: str,
        to_ref: str = "latest",
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> DiffPage:
        """One page of the changes from ``from_ref`` to ``to_ref``, ordered by path."""
        params = {"from": _bare(from_ref), "to": _bare(to_ref), "limit": limit, "cursor": cursor}
        path = f"{_dataset(dataset).base}/diff"
        return DiffPage.from_api(self._http.request("GET", path, params=params))

    def iter_diff(self, dataset: str, from_ref: str, to_ref: str = "latest") -> Iterator[DiffEntry]:
        """Every change, in path order, fetched a page at a time as the loop goes."""
        params = {"from": _bare(from_ref), "to": _bare(to_ref), "limit": DIFF_PAGE}
        path = f"{_dataset(dataset).base}/diff"
        return self._http.iterate(path, DiffEntry.from_api, params)

    def verify(self, ref: str) -> VerifyReport:
        """Ask the server to re-read and re-hash every blob of a version."""
        path = f"{_version_path(parse_ref(ref))}/verify"
        return VerifyReport.from_api(self._http.request("POST", path))

    # ---- tags and grants -----------------------------------------------------------------

    def list_tags(
        self, dataset: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[Tag]:
        """One page of tags: ``latest`` first, then the others by name."""
        return self._http.page(_tags(dataset), Tag.from_api, {"limit": limit, "cursor": cursor})

    def iter_tags(self, dataset: str) -> Iterator[Tag]:
        return self._http.iterate(_tags(dataset), Tag.from_api)

    def set_tag(self, dataset: str, tag: str, version: str) -> Tag:
        body = {"version": _bare(version)}
        return Tag.from_api(self._http.request("PUT", _tags(dataset, tag), json=body))

    def delete_tag(self, dataset: str, tag: str) -> None:
        self._http.request("DELETE", _tags(dataset, tag))

    def list_grants(
        self, dataset: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[Grant]:
        """One page of the groups the dataset is shared with, by name."""
        params = {"limit": limit, "cursor": cursor}
        return self._http.page(_grants(dataset), Grant.from_api, params)

    def iter_grants(self, dataset: str) -> Iterator[Grant]:
        return self._http.iterate(_grants(dataset), Grant.from_api)

    def set_grant(self, dataset: str, group: str, access: str = "read") -> Grant:
        body = {"access": access}
        return Grant.from_api(self._http.request("PUT", _grants(dataset, group), json=body))

    def revoke_grant(self, dataset: str, group: str) -> None:
        self._http.request("DELETE", _grants(dataset, group))

    # ---- moving data ---------------------------------------------------------------------

    def push(
        self,
        directory: PathLike,
        dataset: str,
        *,
        message: str = "",
        parent: str | None = None,
        progress: ProgressCallback | None = None,
        workers: int | None = None,
    ) -> PushResult:
        """Upload what the server lacks of ``directory`` and commit it as a new version.

        ``parent`` (``"v2"``) makes the commit fail with Conflict unless that version is
        still the latest. ``progress`` is called (from worker threads, one call at a time)
        with a :class:`Progress` for the "hash" and "upload" phases."""
        ref = _dataset(dataset)
        opts = sync.Options(progress, workers or default_workers())
        parent = _bare(parent) if parent else None
        return sync.push(self._wire, ref, os.fspath(directory), message, parent, opts)

    def pull(
        self,
        ref: str,
        directory: PathLike,
        *,
        delete: bool = False,
        progress: ProgressCallback | None = None,
        workers: int | None = None,
    ) -> PullResult:
        """Make ``directory`` hold the version's files, downloading only what is missing.

        Files not in the version are left alone, or removed with ``delete=True``."""
        opts = sync.Options(progress, workers or default_workers())
        return sync.pull(self._wire, parse_ref(ref), os.fspath(directory), delete, opts)

    def status(self, directory: PathLike) -> Status:
        """How ``directory`` differs from the version it was last pushed as or pulled from."""
        root = os.path.abspath(directory)
        state = local.read_state(root)
        base = local.read_manifest(root, state.version)
        if base is None:  # the stored file list is gone: ask the server
            spec = f"{state.spec}@{state.version}"
            base = local.base_files(list(self.iter_files(spec)))
        return local.compare(root, state, base)

    def open(self, ref: str, path: str) -> io.BufferedReader:
        """One file of a version as a binary stream (``with client.datasets.open(...) as f``).

        The bytes are fetched as they are read, not the whole version; the end of the stream
        checks them against the file's hash."""
        parsed = parse_ref(ref)
        found = self._http.request("GET", f"{_version_path(parsed)}/file", params={"path": path})
        return open_entry(self._wire, parsed.base, FileEntry.from_api(found))


def _version_path(ref: DatasetRef) -> str:
    return f"{ref.base}/versions/{seg(ref.version)}"


def _pinned(ref: str) -> DatasetRef:
    parsed = parse_ref(ref)
    if parsed.ref is None:
        raise LocalDataError(f"{ref!r}: name the version, e.g. {ref}@v3", code="bad_ref")
    return parsed


def _bare(version: str) -> str:
    """``3`` -> ``v3``; tags and ``vN`` as they are."""
    return f"v{version}" if version.isdigit() else version


def _tags(dataset: str, tag: str | None = None) -> str:
    path = f"{_dataset(dataset).base}/tags"
    return path if tag is None else f"{path}/{seg(tag)}"


def _grants(dataset: str, group: str | None = None) -> str:
    path = f"{_dataset(dataset).base}/grants"
    return path if group is None else f"{path}/{seg(group)}"
