"""``open_store``: the blob store named by the ``ATRIUM_BLOB_URL`` setting."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from atrium.server.backends.blobstore import (
    LocalBlobStore,
    S3BlobStore,
    hash_bytes,
    open_store,
)
from tests.backends.conftest import BUCKET, REGION


@pytest.mark.parametrize("form", ["plain path", "file URL", "file URL with localhost"])
def test_local_paths_and_file_urls(tmp_path: Path, form: str) -> None:
    root = tmp_path / "my blobs"  # the space is percent-encoded in URLs
    url = {
        "plain path": str(root),
        "file URL": root.as_uri(),
        "file URL with localhost": "file://localhost" + quote(str(root)),
    }[form]
    store = open_store(url)
    assert isinstance(store, LocalBlobStore)
    assert store.root == root
    data = b"payload"
    store.put_bytes(hash_bytes(data), data)
    assert store.get_bytes(hash_bytes(data)) == data


def test_path_object_and_fsync_option(tmp_path: Path) -> None:
    assert isinstance(open_store(tmp_path), LocalBlobStore)
    store = open_store(f"file://{tmp_path}?fsync_min_size=0")
    assert isinstance(store, LocalBlobStore)
    assert store.fsync_min_size == 0


def test_s3_url(s3_endpoint: str) -> None:
    store = open_store(f"s3://{BUCKET}/team/blobs/?endpoint_url={s3_endpoint}&region={REGION}")
    assert isinstance(store, S3BlobStore)
    assert (store.bucket, store.prefix) == (BUCKET, "team/blobs/")
    data = b"through the URL"
    key = hash_bytes(data)
    store.put_bytes(key, data)
    assert store.get_bytes(key) == data
    bare = open_store(f"s3://{BUCKET}?endpoint_url={s3_endpoint}")
    assert isinstance(bare, S3BlobStore)
    assert bare.prefix == ""


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://host/blobs", "unsupported blob store URL scheme"),
        ("s3:///prefix", "needs a bucket"),
        ("s3://bucket?endpoint=http://127.0.0.1:1", "unknown blob store option"),
        ("file:///tmp/x?fsync=0", "unknown blob store option"),
        ("file://remote-host/blobs", "must name a local path"),
    ],
)
def test_bad_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        open_store(url)
