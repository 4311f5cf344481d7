"""A push's manifest, sent inline or as uploaded parts, parsed and checked once per push."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from pydantic import TypeAdapter, ValidationError

from atrium.contracts.datasets import MAX_FILES, FileEntry, VersionCreate
from atrium.server.backends.blobstore import BlobNotFound, BlobStore
from atrium.server.domain import manifest
from atrium.server.domain.errors import InvalidInput
from atrium.server.store import dataset_manifests as manifests

_PART = TypeAdapter(list[FileEntry])
#: Parsed manifests kept between a push's plan and its commit (a 20,000-file one takes ~10 MB
#: and ~0.2 s to parse and check); bigger ones are parsed again rather than held.
CACHED_MANIFESTS = 4
CACHED_MAX_FILES = 200_000


@dataclass(frozen=True)
class Manifest:
    files: manifests.Files  # path -> (size, hash, mode with only the executable bit, chunks)
    blobs: dict[str, int]  # every blob the files reference -> its size
    digest: str  # manifests.digest(files): compared with the parent's to spot an unchanged push


class ManifestReader:
    """Reads manifests; uploaded ones are cached by their part keys.

    The keys are content hashes, so a cached manifest can never be stale; checks that depend
    on the database (blobs present, quota, parent) are not cached.
    """

    def __init__(self, blobs: BlobStore) -> None:
        self.blobs = blobs
        self._cache: OrderedDict[tuple[str, ...], Manifest] = OrderedDict()
        self._lock = threading.Lock()

    def read(self, body: VersionCreate) -> Manifest:
        if body.files is not None:
            return _checked(body.files)
        keys = tuple(body.manifest or ())
        with self._lock:
            cached = self._cache.get(keys)
        if cached is not None:
            return cached
        parsed = _checked(self._parts(keys))
        if len(parsed.files) <= CACHED_MAX_FILES:
            with self._lock:
                self._cache[keys] = parsed
                while len(self._cache) > CACHED_MANIFESTS:
                    self._cache.popitem(last=False)
        return parsed

    def _parts(self, keys: tuple[str, ...]) -> list[FileEntry]:
        entries: list[FileEntry] = []
        for key in keys:
            try:
                part = _PART.validate_json(self.blobs.get_bytes(key))
            except BlobNotFound:
                raise InvalidInput(
                    f"manifest part {key} was never uploaded (or was collected): push again",
                    {"missing": [key]},
                ) from None
            except ValidationError as exc:
                first = exc.errors()[0]
                raise InvalidInput(
                    f"manifest part {key} is not a list of file entries: {first['msg']} at "
                    f"{list(first['loc'])} ({exc.error_count()} errors)"
                ) from None
            entries.extend(part)
            if len(entries) > MAX_FILES:
                raise InvalidInput(f"a version holds at most {MAX_FILES} files")
        return entries


def _checked(entries: list[FileEntry]) -> Manifest:
    manifest.check_entries(entries)
    files = {
        f.path: (f.size, f.hash, 0o755 if f.mode & 0o111 else 0o644, f.chunks) for f in entries
    }
    return Manifest(files, manifest.blob_sizes(entries), manifests.digest(files))
