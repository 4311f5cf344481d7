"""Push and pull: a directory against a dataset version, end to end."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from atrium.sdk.datasets import manifest
from atrium.sdk.datasets.download import TMP_DIR, Downloader, Writer
from atrium.sdk.datasets.errors import LocalDataError
from atrium.sdk.datasets.hashcache import HashCache
from atrium.sdk.datasets.hashing import HashProgress, hash_files
from atrium.sdk.datasets.local import LocalState, trusted_stamps, write_local
from atrium.sdk.datasets.models import FileEntry, Progress, PullResult, PushResult, Version
from atrium.sdk.datasets.refs import DatasetRef
from atrium.sdk.datasets.scan import META_DIR, LocalFile, check_manifest_path, scan
from atrium.sdk.datasets.tracker import ProgressCallback, Tracker
from atrium.sdk.datasets.upload import upload
from atrium.sdk.datasets.wire import Wire
from atrium.sdk.resources._base import seg

KEEP_BUDGET = 256 * 1024 * 1024  # small files' bytes kept from hashing to upload
FILES_PAGE = 100_000


@dataclass(frozen=True)
class Options:
    progress: ProgressCallback | None = None
    workers: int = 8


def push(
    wire: Wire, ref: DatasetRef, directory: str, message: str, parent: str | None, opts: Options
) -> PushResult:
    root = os.path.abspath(directory)
    scanned_at = time.time_ns()
    files = scan(root)
    entries, kept, read = _hash_for_push(root, files, opts)
    keys = manifest.send(wire, ref.base, manifest.parts(entries))
    body = {"message": message, "parent": parent, "manifest": keys}
    payload = json.dumps(body, separators=(",", ":")).encode()
    wait = 60 + len(entries) / 1000  # seconds the server may take over the manifest
    # The plan names the blobs to upload, and refuses up front a version over the quota.
    plan = wire.post_json(f"{ref.base}/versions/plan", payload, retry=True, wait=wait)
    local = (entries, files)
    stats = upload(wire, ref.base, plan["missing"], local, kept, opts.workers, opts.progress)
    kept.clear()
    created = wire.post_json(f"{ref.base}/versions", payload, retry=False, wait=wait)
    version = Version.from_api(created)
    state = LocalState(wire.core.base_url, ref.group, ref.name, version.name)
    write_local(root, state, entries, trusted_stamps(files, scanned_at))
    total = sum(e.size for e in entries)
    return PushResult(str(ref), version, len(entries), total, read, stats.blobs, stats.bytes)


def _hash_for_push(
    root: str, files: list[LocalFile], opts: Options
) -> tuple[list[FileEntry], dict[str, bytes], int]:
    cache = HashCache(root)
    try:
        hashed = hash_files(files, cache, keep_budget=KEEP_BUDGET, progress=_hashing(opts))
        cache.forget_missing(f.path for f in files)
        cache.save()
    finally:
        cache.close()
    return hashed.entries, hashed.kept, hashed.files_read


def pull(wire: Wire, ref: DatasetRef, directory: str, delete: bool, opts: Options) -> PullResult:
    version = Version.from_api(wire.json("GET", f"{ref.base}/versions/{seg(ref.version)}"))
    entries = list(iter_files(wire, ref.base, version.name))
    for entry in entries:
        check_manifest_path(entry.path)
    root = os.path.abspath(directory)
    os.makedirs(root, exist_ok=True)
    scanned_at = time.time_ns()
    local = scan(root)
    cache = HashCache(root)
    try:
        todo = _missing_locally(local, entries, cache, opts)
        deleted = _delete_extra(local, entries) if delete else 0
        make_dirs(root, todo)
        writer = Writer(root)
        tracker = Tracker("download", len(todo), sum(e.size for e in todo), opts.progress)
        Downloader(wire, ref.base, writer, tracker).run(todo, opts.workers)
        for record in writer.records:
            cache.put(record)
        cache.save()
    finally:
        cache.close()
    shutil.rmtree(os.path.join(root, META_DIR, TMP_DIR), ignore_errors=True)
    # Files already present keep their stamps from the scan; written ones, from their writing.
    stamps = trusted_stamps(local, scanned_at)
    stamps.update((r[0], (r[2], r[3])) for r in writer.records)
    state = LocalState(wire.core.base_url, ref.group, ref.name, version.name)
    write_local(root, state, entries, stamps)
    size = sum(e.size for e in entries)
    moved = sum(e.size for e in todo)
    skipped = len(entries) - len(todo)
    return PullResult(
        str(ref), version.name, len(entries), size, len(todo), moved, skipped, deleted
    )


def iter_files(
    wire: Wire, base: str, version: str, prefix: str | None = None
) -> Iterator[FileEntry]:
    """Every file of a version, in path order, following the cursor (100,000 per page)."""
    params: dict[str, object] = {"limit": FILES_PAGE, "prefix": prefix}
    path = f"{base}/versions/{seg(version)}/files"
    while True:
        page = wire.json("GET", path, params=params)
        yield from (FileEntry.from_api(item) for item in page["items"])
        if not page.get("next_cursor"):
            return
        params["cursor"] = page["next_cursor"]


def _missing_locally(
    local: list[LocalFile], entries: Sequence[FileEntry], cache: HashCache, opts: Options
) -> list[FileEntry]:
    """The entries to download: those not present with the right content (modes are fixed)."""
    wanted = {e.path: e for e in entries}
    same_size = [f for f in local if (e := wanted.get(f.path)) is not None and e.size == f.size]
    hashed = hash_files(same_size, cache, progress=_hashing(opts))
    present = set()
    for f, have in zip(same_size, hashed.entries, strict=True):
        entry = wanted[f.path]
        if have.hash == entry.hash:
            present.add(f.path)
            if f.mode != entry.mode:
                os.chmod(f.abspath, entry.mode)
    return [e for e in entries if e.path not in present]


def _delete_extra(local: list[LocalFile], entries: Sequence[FileEntry]) -> int:
    wanted = {e.path for e in entries}
    extra = [f for f in local if f.path not in wanted]
    for f in extra:
        os.remove(f.abspath)
    return len(extra)


def make_dirs(root: str, todo: Sequence[FileEntry]) -> None:
    """Create the folders the files go in, refusing to write through a symlink leading out."""
    real_root = os.path.realpath(root)
    folders: set[str] = set()
    for entry in todo:
        parts = entry.path.split("/")[:-1]
        folders.update("/".join(parts[: n + 1]) for n in range(len(parts)))
    for folder in sorted(folders):
        path = os.path.join(root, folder)
        if not os.path.lexists(path):
            os.mkdir(path)
            continue
        real = os.path.realpath(path)
        if os.path.commonpath([real, real_root]) != real_root:
            raise LocalDataError(f"{folder}: symlink leads outside {root}", code="unsafe_symlink")
        if not os.path.isdir(real):
            raise LocalDataError(
                f"{folder}: a file is in the way of a folder of the version", code="path_conflict"
            )


def _hashing(opts: Options) -> HashProgress | None:
    callback = opts.progress
    if callback is None:
        return None

    def report(files: int, files_total: int, size: int, size_total: int) -> None:
        callback(Progress("hash", files, files_total, size, size_total))

    return report
