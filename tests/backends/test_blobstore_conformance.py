"""The blob store conformance suite: every backend (``blob_store`` fixture) must pass it all."""

from __future__ import annotations

import os
import random
import stat
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from atrium.server.backends.blobstore import (
    EMPTY_KEY,
    MAX_BLOB_SIZE,
    BlobCorrupt,
    BlobNotFound,
    BlobStore,
    BlobTooLarge,
    InvalidKey,
    hash_bytes,
)

MiB = 1024 * 1024


def blob(n: int, seed: int = 0) -> tuple[str, bytes]:
    data = random.Random(seed).randbytes(n)
    return hash_bytes(data), data


def uneven_chunks(data: bytes, seed: int = 1) -> Iterator[bytes]:
    """Slices of varying, odd sizes (1 byte to ~2 MiB), as a network stream would deliver."""
    rng = random.Random(seed)
    pos = 0
    while pos < len(data):
        step = rng.choice([1, 7, 4095, 65537, MiB + 3, 2 * MiB - 1])
        yield data[pos : pos + step]
        pos += step


def test_round_trip(blob_store: BlobStore) -> None:
    key, data = blob(10_000)
    assert not blob_store.has(key)
    assert blob_store.size(key) is None
    assert blob_store.put_bytes(key, data) == len(data)
    assert blob_store.has(key)
    assert blob_store.size(key) == len(data)
    assert blob_store.get_bytes(key) == data
    assert b"".join(blob_store.open(key)) == data


def test_empty_blob(blob_store: BlobStore) -> None:
    assert blob_store.put_bytes(EMPTY_KEY, b"") == 0
    assert blob_store.has(EMPTY_KEY)
    assert blob_store.size(EMPTY_KEY) == 0
    assert blob_store.get_bytes(EMPTY_KEY) == b""
    assert blob_store.missing([EMPTY_KEY]) == set()


def test_put_is_idempotent(blob_store: BlobStore) -> None:
    key, data = blob(5000)
    assert blob_store.put_bytes(key, data) == 5000
    mtime = blob_store.stat_mtime(key)
    assert blob_store.put(key, uneven_chunks(data)) == 5000
    assert blob_store.put_bytes(key, data) == 5000
    assert list(blob_store.iter_keys()) == [key]
    assert blob_store.get_bytes(key) == data
    assert blob_store.stat_mtime(key) == mtime  # the stored blob was left alone


def test_corrupt_put_is_refused_and_leaves_nothing(blob_store: BlobStore) -> None:
    key, _ = blob(3000, seed=1)
    _, other = blob(3000, seed=2)
    with pytest.raises(BlobCorrupt) as info:
        blob_store.put(key, uneven_chunks(other))
    assert info.value.key == key
    assert info.value.actual == hash_bytes(other)
    assert not blob_store.has(key)
    assert not blob_store.has(hash_bytes(other))
    assert list(blob_store.iter_keys()) == []


def test_too_large_put_is_refused_and_leaves_nothing(blob_store: BlobStore) -> None:
    chunk = bytes(MiB)
    count = MAX_BLOB_SIZE // MiB + 1
    key = hash_bytes(chunk * count)
    with pytest.raises(BlobTooLarge):
        blob_store.put(key, (chunk for _ in range(count)))
    assert not blob_store.has(key)
    assert list(blob_store.iter_keys()) == []


def test_interrupted_put_leaves_nothing(blob_store: BlobStore) -> None:
    key, data = blob(3 * MiB)

    def broken_stream() -> Iterator[bytes]:
        yield data[:MiB]
        yield data[MiB : 2 * MiB]
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        blob_store.put(key, broken_stream())
    assert not blob_store.has(key)
    assert blob_store.missing([key]) == {key}
    assert list(blob_store.iter_keys()) == []
    assert blob_store.put(key, uneven_chunks(data)) == len(data)  # a retry then succeeds


VALID = "0" * 64
INVALID_KEYS = [
    "../x",
    "../" + "0" * 61,
    "A" * 64,
    "0" * 63,
    "0" * 65,
    "0" * 63 + "\x00",
    "0" * 62 + "/0",
    "g" * 64,
    "",
    " " + "0" * 63,
    "0" * 64 + "\n",
    None,
    b"0" * 64,
]
KEY_OPERATIONS: dict[str, Callable[[BlobStore, Any, Path], object]] = {
    "has": lambda s, k, _: s.has(k),
    "missing": lambda s, k, _: s.missing([VALID, k]),
    "put": lambda s, k, _: s.put(k, [b"x"]),
    "put_bytes": lambda s, k, _: s.put_bytes(k, b"x"),
    "get_bytes": lambda s, k, _: s.get_bytes(k),
    "open": lambda s, k, _: s.open(k),
    "size": lambda s, k, _: s.size(k),
    "delete": lambda s, k, _: s.delete(k),
    "stat_mtime": lambda s, k, _: s.stat_mtime(k),
    "materialize": lambda s, k, tmp: s.materialize(k, tmp / "out"),
}


@pytest.mark.parametrize("key", INVALID_KEYS, ids=repr)
def test_invalid_keys_are_rejected_everywhere(
    blob_store: BlobStore, key: Any, tmp_path: Path
) -> None:
    for name, operation in KEY_OPERATIONS.items():
        with pytest.raises(InvalidKey):
            operation(blob_store, key, tmp_path)
            pytest.fail(f"{name} accepted {key!r}")
    assert list(blob_store.iter_keys()) == []
    assert not (tmp_path / "out").exists()


def test_missing_on_a_mix_of_2000_keys(blob_store: BlobStore) -> None:
    # Few present keys: each costs an upload, and the moto server takes ~10 ms a request.
    stored = [blob(64, seed=i) for i in range(100)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda kd: blob_store.put_bytes(*kd), stored))
    absent = {blob(64, seed=10_000 + i)[0] for i in range(1900)}
    query = [key for key, _ in stored] + sorted(absent)
    random.Random(3).shuffle(query)
    assert blob_store.missing(query) == absent
    assert blob_store.missing(iter(query[:10] + query[:10])) == absent & set(query[:10])
    assert blob_store.missing([]) == set()


def test_streaming_put_of_20_mib_and_streaming_open(blob_store: BlobStore) -> None:
    key, data = blob(20 * MiB)
    assert blob_store.put(key, uneven_chunks(data)) == len(data)
    chunks = list(blob_store.open(key))
    assert len(chunks) >= 10  # streamed, not one 20 MiB read
    assert max(map(len, chunks)) <= 2 * MiB
    assert b"".join(chunks) == data
    assert blob_store.get_bytes(key) == data


def test_open_and_get_of_missing_blob_raise_not_found(blob_store: BlobStore) -> None:
    key, _ = blob(10)
    with pytest.raises(BlobNotFound):
        blob_store.open(key)  # raised by the call, before any iteration
    with pytest.raises(BlobNotFound):
        blob_store.get_bytes(key)


def test_delete(blob_store: BlobStore) -> None:
    key, data = blob(100)
    keep, keep_data = blob(100, seed=9)
    blob_store.put_bytes(key, data)
    blob_store.put_bytes(keep, keep_data)
    blob_store.delete(key)
    assert not blob_store.has(key)
    assert blob_store.missing([key, keep]) == {key}
    with pytest.raises(BlobNotFound):
        blob_store.get_bytes(key)
    blob_store.delete(key)  # deleting a missing blob is fine
    assert blob_store.get_bytes(keep) == keep_data


def test_iter_keys_lists_exactly_what_is_stored(blob_store: BlobStore) -> None:
    blobs = dict(blob(200, seed=i) for i in range(40))
    for key, data in blobs.items():
        blob_store.put_bytes(key, data)
    removed = sorted(blobs)[:5]
    for key in removed:
        blob_store.delete(key)
    keys = list(blob_store.iter_keys())
    assert len(keys) == len(set(keys))
    assert set(keys) == set(blobs) - set(removed)


def test_materialize_writes_identical_read_only_file(blob_store: BlobStore, tmp_path: Path) -> None:
    key, data = blob(3 * MiB + 17)
    blob_store.put_bytes(key, data)
    dest = tmp_path / "mount" / "sub" / "file.bin"
    blob_store.materialize(key, dest)
    assert dest.read_bytes() == data
    assert stat.S_IMODE(dest.stat().st_mode) & 0o222 == 0
    other_key, other = blob(1000, seed=5)
    blob_store.put_bytes(other_key, other)
    blob_store.materialize(other_key, dest)  # replaces an existing (read-only) file
    assert dest.read_bytes() == other
    assert sorted(p.name for p in dest.parent.iterdir()) == ["file.bin"]  # no temp leftovers


def test_materialize_missing_blob_leaves_nothing(blob_store: BlobStore, tmp_path: Path) -> None:
    key, _ = blob(10)
    mount = tmp_path / "mount"
    mount.mkdir()
    with pytest.raises(BlobNotFound):
        blob_store.materialize(key, mount / "out.bin")
    assert list(mount.iterdir()) == []


def test_concurrent_puts_of_the_same_key(blob_store: BlobStore) -> None:
    key, data = blob(2 * MiB + 5)
    barrier = threading.Barrier(8)

    def put() -> int:
        barrier.wait()
        return blob_store.put(key, uneven_chunks(data))

    with ThreadPoolExecutor(8) as pool:
        sizes = list(pool.map(lambda _: put(), range(8)))
    assert sizes == [len(data)] * 8
    assert list(blob_store.iter_keys()) == [key]
    assert blob_store.get_bytes(key) == data


def test_put_many_stores_the_good_blobs_and_reports_the_bad(
    blob_store: BlobStore, tmp_path: Path
) -> None:
    small = dict(blob(4096, seed=i) for i in range(30))
    big_key, big = blob(5 * MiB + 3, seed=99)  # beyond the local store's pack size
    bad_key, _ = blob(100, seed=100)
    _, wrong = blob(100, seed=101)
    records: list[tuple[str, bytes | memoryview]] = [
        *small.items(),
        (big_key, memoryview(big)),
        (bad_key, wrong),
    ]
    bad = blob_store.put_many(records)
    assert [(b.key, b.actual) for b in bad] == [(bad_key, hash_bytes(wrong))]
    stored = {**small, big_key: big}
    assert blob_store.missing([*stored, bad_key]) == {bad_key}
    assert set(blob_store.iter_keys()) == set(stored)
    for key, data in stored.items():
        assert blob_store.size(key) == len(data)
        assert blob_store.get_bytes(key) == data
        assert b"".join(blob_store.open(key)) == data
        assert blob_store.stat_mtime(key) is not None
    key = next(iter(small))
    blob_store.materialize(key, tmp_path / "one.bin")
    assert (tmp_path / "one.bin").read_bytes() == small[key]
    assert stat.S_IMODE((tmp_path / "one.bin").stat().st_mode) & 0o222 == 0
    assert blob_store.put_many(records[:5]) == []  # idempotent
    blob_store.delete(key)
    assert blob_store.missing([key]) == {key}
    with pytest.raises(BlobNotFound):
        blob_store.get_bytes(key)
    assert set(blob_store.iter_keys()) == set(stored) - {key}


def test_get_many_returns_verified_bytes_in_order(blob_store: BlobStore) -> None:
    small = dict(blob(4096, seed=i) for i in range(1200))  # over one index query's batch
    big_key, big = blob(5 * MiB + 3, seed=99)  # a loose file in the local store
    assert blob_store.put_many([*small.items(), (big_key, big)]) == []
    blob_store.put_bytes(*blob(10, seed=98))  # stored alone (a file of its own)
    alone, alone_data = blob(10, seed=98)
    keys = [*reversed(small), big_key, alone, next(iter(small))]  # any order, repeats allowed
    stored = {**small, big_key: big, alone: alone_data}
    assert [(k, d) for k, d in blob_store.get_many(keys)] == [(k, stored[k]) for k in keys]
    assert list(blob_store.get_many([])) == []


def test_get_many_raises_when_it_reaches_an_absent_blob(blob_store: BlobStore) -> None:
    present, data = blob(100, seed=1)
    absent, _ = blob(100, seed=2)
    blob_store.put_many([(present, data)])
    got = blob_store.get_many([present, absent])
    assert next(got) == (present, data)
    with pytest.raises(BlobNotFound):
        next(got)
    with pytest.raises(InvalidKey):
        list(blob_store.get_many([present, "../x"]))


def test_put_many_refuses_bad_input_before_storing_anything(blob_store: BlobStore) -> None:
    good = blob(100)
    with pytest.raises(InvalidKey):
        blob_store.put_many([good, ("../x", b"x")])
    huge = bytes(MAX_BLOB_SIZE + 1)
    with pytest.raises(BlobTooLarge):
        blob_store.put_many([good, (hash_bytes(huge), huge)])
    assert list(blob_store.iter_keys()) == []
    assert blob_store.put_many([]) == []


def test_stat_mtime(blob_store: BlobStore) -> None:
    key, data = blob(100)
    assert blob_store.stat_mtime(key) is None
    before = time.time()
    blob_store.put_bytes(key, data)
    mtime = blob_store.stat_mtime(key)
    assert mtime is not None
    # S3 LastModified has one-second resolution; the clocks are the same machine's.
    assert before - 2 <= mtime <= time.time() + 2


def test_conforms_to_protocol(blob_store: BlobStore) -> None:
    assert isinstance(blob_store, BlobStore)
    assert os.sep == "/"  # fan-out keys and paths assume POSIX
