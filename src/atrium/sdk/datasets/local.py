"""What a directory remembers of its dataset (``.atrium/``) and how it differs from it.

After a push or a pull, ``.atrium/state.json`` holds ``{url, group, dataset, version}`` and
``.atrium/manifest.json`` the version's file list with each file's ``mtime_ns`` and inode as
they were when pushed or pulled, so that ``status`` works offline and in milliseconds: a file
whose size, mode, mtime and inode are unchanged is unchanged; the others go to the hash cache,
and only those it cannot vouch for are read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from atrium.sdk.datasets.errors import LocalDataError
from atrium.sdk.datasets.models import FileEntry, Status
from atrium.sdk.datasets.scan import META_DIR, LocalFile, scan

STATE_FILE = "state.json"
MANIFEST_FILE = "manifest.json"

# path -> its row as manifest.json stores it: [path, size, hash, mode, chunks, mtime_ns, inode],
# -1 for a stamp that is unknown or not trusted. Rows are kept as parsed: building 20,000
# tuples from them cost more than the rest of reading the file.
BaseFiles = dict[str, list[Any]]
_SIZE, _HASH, _MODE, _MTIME, _INODE = 1, 2, 3, 5, 6
Stamps = dict[str, tuple[int, int]]  # path -> (mtime_ns, inode) of the file as hashed


@dataclass(frozen=True)
class LocalState:
    url: str
    group: str
    dataset: str
    version: str

    @property
    def spec(self) -> str:
        return f"{self.group}/{self.dataset}"


def meta_path(root: str, name: str) -> str:
    return os.path.join(root, META_DIR, name)


def write_local(root: str, state: LocalState, entries: Sequence[FileEntry], stamps: Stamps) -> None:
    """Record the version the directory now matches (manifest first, then the state)."""
    os.makedirs(os.path.join(root, META_DIR), exist_ok=True)
    unknown = (-1, -1)
    rows = [
        [
            e.path,
            e.size,
            e.hash,
            e.mode,
            list(e.chunks) if e.chunks else None,
            *stamps.get(e.path, unknown),
        ]
        for e in entries
    ]
    manifest = {"version": state.version, "files": rows}
    _write_json(meta_path(root, MANIFEST_FILE), manifest)
    _write_json(meta_path(root, STATE_FILE), asdict(state))


def read_state(root: str) -> LocalState:
    try:
        with open(meta_path(root, STATE_FILE), encoding="utf-8") as handle:
            data = json.load(handle)
        return LocalState(data["url"], data["group"], data["dataset"], data["version"])
    except FileNotFoundError:
        raise LocalDataError(
            f"{root} was never pushed or pulled (no {META_DIR}/{STATE_FILE})", code="not_tracked"
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise LocalDataError(
            f"{meta_path(root, STATE_FILE)} is damaged ({exc}); pull again", code="bad_state"
        ) from None


def read_manifest(root: str, version: str) -> BaseFiles | None:
    """The stored file list of ``version``; None if absent, damaged or of another version."""
    try:
        with open(meta_path(root, MANIFEST_FILE), encoding="utf-8") as handle:
            data = json.load(handle)
        rows = data["files"]
        if data.get("version") != version or any(len(row) != 7 for row in rows):
            return None
        return {row[0]: row for row in rows}
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def base_files(entries: Sequence[FileEntry]) -> BaseFiles:
    return {e.path: [e.path, e.size, e.hash, e.mode, None, -1, -1] for e in entries}


def trusted_stamps(files: Sequence[LocalFile], scanned_at_ns: int) -> Stamps:
    """Stamps of files scanned at ``scanned_at_ns``, leaving out those modified too recently
    to be sure a later write changes their mtime (see hashcache.RACY_NS)."""
    from atrium.sdk.datasets.hashcache import RACY_NS  # sqlite3, platformdirs: not for status

    limit = scanned_at_ns - RACY_NS
    return {f.path: (f.mtime_ns, f.inode) for f in files if f.mtime_ns < limit}


def compare(root: str, state: LocalState, base: BaseFiles) -> Status:
    """Added, removed and modified files of ``root`` against ``base``."""
    files = scan(root)
    added: list[str] = []
    modified: list[str] = []
    candidates: list[LocalFile] = []
    for f in files:
        known = base.get(f.path)
        if known is None:
            added.append(f.path)
        elif known[_SIZE] != f.size or known[_MODE] != f.mode:
            modified.append(f.path)  # no need to read it to know
        elif known[_MTIME] != f.mtime_ns or known[_INODE] != f.inode:
            candidates.append(f)  # touched since: ask the cache, or read it
    for f, digest in zip(candidates, _hashes(root, candidates, files), strict=True):
        if digest != base[f.path][_HASH]:
            modified.append(f.path)
    removed: list[str] = []
    if len(files) - len(added) != len(base):  # else every path of base was found
        seen = {f.path for f in files}
        removed = [path for path in base if path not in seen]
    unchanged = len(files) - len(added) - len(modified)
    return Status(state.spec, state.version, added, sorted(removed), sorted(modified), unchanged)


def _hashes(root: str, files: list[LocalFile], everything: list[LocalFile]) -> list[str]:
    """The files' hashes: from the cache where it is fresh, else read (and then cached)."""
    if not files:
        return []
    # Here, not at the top: a status with nothing touched (the common case) needs neither
    # BLAKE3 nor the thread pool, and the CLI's start-up is most of its time.
    from atrium.sdk.datasets.hashcache import HashCache
    from atrium.sdk.datasets.hashing import hash_files, lookup

    cache = HashCache(root)
    try:
        known, todo = lookup(files, cache)
        if todo:
            hashed = hash_files([files[i] for i in todo], cache)
            for i, entry in zip(todo, hashed.entries, strict=True):
                known[i] = (entry.hash, entry.chunks)
            cache.forget_missing(f.path for f in everything)
            cache.save()
        return [k[0] for k in known if k is not None]
    finally:
        cache.close()


def _write_json(path: str, value: object) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)  # C encoder: one call
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)
