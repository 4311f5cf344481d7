"""Content-addressed blob storage (BLAKE3 keys) over a local directory or an S3 bucket.

``open_store(url)`` turns the ``ATRIUM_BLOB_URL`` setting into a store:

* ``/var/lib/atrium/blobs`` or ``file:///var/lib/atrium/blobs`` -> :class:`LocalBlobStore`
  (query option ``fsync_min_size=<bytes>``, ``0`` to fsync every blob);
* ``s3://bucket/optional/prefix?endpoint_url=http://127.0.0.1:9000&region=us-east-1`` ->
  :class:`S3BlobStore`, credentials from the standard ``AWS_*`` variables (or boto3's chain).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from atrium.server.backends.blobstore.base import (
    EMPTY_KEY,
    KEY_LENGTH,
    MAX_BLOB_SIZE,
    BlobCorrupt,
    BlobNotFound,
    BlobStore,
    BlobStoreError,
    BlobTooLarge,
    Hasher,
    InvalidKey,
    check_key,
    hash_bytes,
    hash_file,
)
from atrium.server.backends.blobstore.local import LocalBlobStore

if TYPE_CHECKING:
    from atrium.server.backends.blobstore.s3 import S3BlobStore

__all__ = [
    "EMPTY_KEY",
    "KEY_LENGTH",
    "MAX_BLOB_SIZE",
    "BlobCorrupt",
    "BlobNotFound",
    "BlobStore",
    "BlobStoreError",
    "BlobTooLarge",
    "Hasher",
    "InvalidKey",
    "LocalBlobStore",
    "S3BlobStore",
    "check_key",
    "hash_bytes",
    "hash_file",
    "open_store",
]


def __getattr__(name: str) -> Any:
    # boto3 costs ~0.7 s of import: only S3 users pay it.
    if name == "S3BlobStore":
        from atrium.server.backends.blobstore.s3 import S3BlobStore

        return S3BlobStore
    raise AttributeError(name)


_LOCAL_OPTIONS = {"fsync_min_size"}
_S3_OPTIONS = {"endpoint_url", "region", "max_workers"}


def open_store(url: str | Path) -> BlobStore:
    """The blob store a URL or plain path names; ValueError for anything else."""
    text = str(url)
    parts = urlsplit(text)
    if parts.scheme in ("", "file"):
        return _open_local(text, parts.scheme, parts.netloc, parts.path, parts.query)
    if parts.scheme == "s3":
        return _open_s3(parts.netloc, parts.path, parts.query)
    raise ValueError(f"unsupported blob store URL scheme {parts.scheme!r} in {text!r}")


def _options(query: str, allowed: set[str]) -> dict[str, str]:
    """Single-valued query options; unknown ones are an error (a typo must not be ignored)."""
    raw = parse_qs(query, keep_blank_values=True, strict_parsing=bool(query))
    unknown = set(raw) - allowed
    if unknown:
        known = ", ".join(sorted(allowed))
        raise ValueError(f"unknown blob store option(s) {sorted(unknown)}; known: {known}")
    return {name: values[-1] for name, values in raw.items()}


def _open_local(text: str, scheme: str, host: str, path: str, query: str) -> LocalBlobStore:
    if scheme != "file":
        return LocalBlobStore(Path(text))
    if host not in ("", "localhost"):
        raise ValueError(f"file URL must name a local path, not host {host!r}: {text!r}")
    options = _options(query, _LOCAL_OPTIONS)
    if "fsync_min_size" in options:
        return LocalBlobStore(Path(unquote(path)), fsync_min_size=int(options["fsync_min_size"]))
    return LocalBlobStore(Path(unquote(path)))


def _open_s3(bucket: str, path: str, query: str) -> S3BlobStore:
    if not bucket:
        raise ValueError("s3 URL needs a bucket: s3://bucket/prefix")
    from atrium.server.backends.blobstore.s3 import S3BlobStore

    options = _options(query, _S3_OPTIONS)
    return S3BlobStore(
        bucket,
        unquote(path).strip("/"),
        endpoint_url=options.get("endpoint_url"),
        region=options.get("region"),
        max_workers=int(options.get("max_workers", "16")),
    )
