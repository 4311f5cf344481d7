"""S3BlobStore specifics against the loopback S3 server: layout, listing strategy, corruption."""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from atrium.server.backends.blobstore import BlobCorrupt, S3BlobStore, hash_bytes
from tests.backends.conftest import BUCKET

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

MakeStore = Callable[[], S3BlobStore]


def blob(n: int, seed: int) -> tuple[str, bytes]:
    data = random.Random(seed).randbytes(n)
    return hash_bytes(data), data


def blobs_in_one_fanout(count: int, fanout: str = "00") -> list[tuple[str, bytes]]:
    """``count`` blobs whose keys all start with ``fanout`` (found by trying seeds)."""
    found: list[tuple[str, bytes]] = []
    seed = 0
    while len(found) < count:
        key, data = blob(16, seed)
        if key.startswith(fanout):
            found.append((key, data))
        seed += 1
    return found


def test_object_layout_under_prefix(make_s3_store: MakeStore, s3_client: S3Client) -> None:
    store = make_s3_store()
    key, data = blob(100, 1)
    store.put_bytes(key, data)
    object_key = f"{store.prefix}{key[:2]}/{key}"
    assert store.object_key(key) == object_key
    assert s3_client.get_object(Bucket=BUCKET, Key=object_key)["Body"].read() == data


def test_missing_by_listing_matches_head_per_key(make_s3_store: MakeStore) -> None:
    store = make_s3_store()
    stored = [blob(50, seed) for seed in range(20)]
    for key, data in stored:
        store.put_bytes(key, data)
    query = [key for key, _ in stored] + [blob(50, 1000 + i)[0] for i in range(120)]
    store.list_threshold = 10**9
    by_head = store.missing(query)
    store.list_threshold = 0
    assert store.missing(query) == by_head
    assert len(by_head) == 120


def test_listing_stops_at_its_budget_and_heads_the_rest(make_s3_store: MakeStore) -> None:
    store = make_s3_store()
    same_fanout = blobs_in_one_fanout(14)
    present, absent = same_fanout[:10], same_fanout[10:]
    for key, data in present:
        store.put_bytes(key, data)
    store.list_threshold = 0
    store.list_names_per_head = 0.3  # 14 keys -> list 4 names, then HEAD the rest
    query = [key for key, _ in same_fanout]
    heads: list[str] = []
    real_has = store.has

    def counting_has(key: str) -> bool:
        heads.append(key)
        return real_has(key)

    store.has = counting_has  # type: ignore[method-assign]
    assert store.missing(query) == {key for key, _ in absent}
    assert 0 < len(heads) < len(query)  # part listed, the rest asked one by one


def test_iter_keys_ignores_foreign_objects(make_s3_store: MakeStore, s3_client: S3Client) -> None:
    store, neighbour = make_s3_store(), make_s3_store()
    key, data = blob(10, 2)
    store.put_bytes(key, data)
    neighbour.put_bytes(*blob(10, 3))
    for foreign in ("README", f"{key[:2]}/not-a-key", f"ff/{key}", f"{key[:2]}/{key}/x"):
        s3_client.put_object(Bucket=BUCKET, Key=store.prefix + foreign, Body=b"x")
    assert list(store.iter_keys()) == [key]


@pytest.mark.parametrize("read", ["get_bytes", "open", "materialize"])
def test_corrupt_object_is_detected_on_read(
    make_s3_store: MakeStore, s3_client: S3Client, tmp_path: Path, read: str
) -> None:
    store = make_s3_store()
    key, _ = blob(3 * 1024 * 1024, 4)
    wrong = os.urandom(1000)
    s3_client.put_object(Bucket=BUCKET, Key=store.object_key(key), Body=wrong)
    with pytest.raises(BlobCorrupt) as info:
        if read == "get_bytes":
            store.get_bytes(key)
        elif read == "open":
            b"".join(store.open(key))
        else:
            store.materialize(key, tmp_path / "out.bin")
    assert info.value.actual == hash_bytes(wrong)
    assert list(tmp_path.iterdir()) == []


class _NoConditionalWrites:
    """A client for a server that answers If-None-Match with 501 (older S3-compatibles)."""

    def __init__(self, client: S3Client) -> None:
        self._client = client
        self.refused = 0

    def put_object(self, **kwargs: Any) -> Any:
        if "IfNoneMatch" in kwargs:
            self.refused += 1
            error = {"Error": {"Code": "NotImplemented", "Message": "If-None-Match"}}
            raise ClientError(error, "PutObject")  # type: ignore[arg-type]
        return self._client.put_object(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_put_falls_back_to_plain_writes_when_conditions_are_refused(
    s3_client: S3Client,
) -> None:
    client = _NoConditionalWrites(s3_client)
    store = S3BlobStore(BUCKET, f"no-conditions-{os.getpid()}", client=client)  # type: ignore[arg-type]
    for seed in (1, 2):
        key, data = blob(100, seed)
        assert store.put_bytes(key, data) == 100
        assert store.get_bytes(key) == data
    assert client.refused == 1  # learnt once, then plain PutObject
