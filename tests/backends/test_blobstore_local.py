"""LocalBlobStore specifics: layout, temp files, durability policy, corruption handling."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from atrium.server.backends.blobstore import (
    EMPTY_KEY,
    BlobCorrupt,
    LocalBlobStore,
    _files,
    hash_bytes,
)
from atrium.server.backends.blobstore import local as local_module

MiB = 1024 * 1024


def blob(data: bytes) -> tuple[str, bytes]:
    return hash_bytes(data), data


@pytest.fixture
def store(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


def test_fan_out_layout_and_read_only_files(store: LocalBlobStore) -> None:
    key, data = blob(b"hello")
    store.put_bytes(key, data)
    path = store.root / key[:2] / key[2:4] / key
    assert store.path(key) == path
    assert path.read_bytes() == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    files = [p for p in store.root.rglob("*") if p.is_file() and "packs" not in p.parts]
    assert files == [path]


def test_put_of_a_stored_blob_does_not_read_its_input(store: LocalBlobStore) -> None:
    key, data = blob(b"already here")
    store.put_bytes(key, data)

    def must_not_be_read() -> Iterator[bytes]:
        raise AssertionError("a stored blob's input must not be consumed")
        yield b""

    assert store.put(key, must_not_be_read()) == len(data)


def test_tmp_dir_is_empty_after_successes_and_failures(store: LocalBlobStore) -> None:
    key, data = blob(os.urandom(3 * MiB))
    store.put_bytes(key, data)
    with pytest.raises(BlobCorrupt):
        store.put_bytes(hash_bytes(b"other"), data)

    def broken() -> object:
        yield data[:MiB]
        raise OSError("stream broke")

    with pytest.raises(OSError, match="stream broke"):
        store.put(hash_bytes(b"x" * 10), broken())  # type: ignore[arg-type]
    assert list((store.root / "tmp").iterdir()) == []


def test_opening_the_store_sweeps_only_stale_temp_files(tmp_path: Path) -> None:
    root = tmp_path / "blobs"
    LocalBlobStore(root)
    stale, fresh = root / "tmp" / "stale", root / "tmp" / "fresh"
    stale.write_bytes(b"partial upload of a killed process")
    fresh.write_bytes(b"another process's upload in progress")
    old = time.time() - local_module.STALE_TMP_SECONDS - 60
    os.utime(stale, (old, old))
    LocalBlobStore(root)
    assert not stale.exists()
    assert fresh.exists()


def test_iter_keys_ignores_foreign_files(store: LocalBlobStore) -> None:
    key, data = blob(b"real")
    store.put_bytes(key, data)
    (store.root / "tmp" / ("0" * 64)).write_bytes(b"in flight")
    (store.root / "README").write_text("not a blob")
    odd = store.root / "zz" / "zz"
    odd.mkdir(parents=True)
    (odd / ("f" * 64)).write_bytes(b"wrong fan-out dir")
    misplaced = store.root / "00" / "00"
    misplaced.mkdir(parents=True)
    (misplaced / ("1" * 64)).write_bytes(b"key does not match its directory")
    (store.path(key).parent / ".partial").write_bytes(b"")
    assert list(store.iter_keys()) == [key]


def test_small_blobs_skip_fsync_large_ones_are_fsynced(
    store: LocalBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    store.put_bytes(*blob(os.urandom(4096)))
    assert synced == []
    store.put_bytes(*blob(os.urandom(store.fsync_min_size)))
    assert len(synced) == 1
    every = LocalBlobStore(store.root, fsync_min_size=0)
    every.put_bytes(*blob(os.urandom(10)))
    assert len(synced) == 2


def test_zero_length_file_from_a_crash_counts_as_missing_and_is_repaired(
    store: LocalBlobStore,
) -> None:
    key, data = blob(b"bytes lost by a power cut before write-back")
    path = store.path(key)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    assert not store.has(key)
    assert store.missing([key]) == {key}
    assert store.size(key) is None
    assert store.put_bytes(key, data) == len(data)
    assert store.get_bytes(key) == data
    store.put_bytes(EMPTY_KEY, b"")  # the genuine empty blob is zero bytes and present
    assert store.has(EMPTY_KEY)


def tamper(store: LocalBlobStore, key: str, data: bytes) -> None:
    path = store.path(key)
    path.chmod(0o644)
    path.write_bytes(data)


@pytest.mark.parametrize("read", ["get_bytes", "open", "materialize"])
def test_corrupt_blob_is_detected_on_read_and_quarantined(
    store: LocalBlobStore, tmp_path: Path, read: str
) -> None:
    key, data = blob(os.urandom(2 * MiB + 1))
    store.put_bytes(key, data)
    damaged = data[:-1] + bytes([data[-1] ^ 0xFF])  # always differs from the original
    tamper(store, key, damaged)
    with pytest.raises(BlobCorrupt) as info:
        if read == "get_bytes":
            store.get_bytes(key)
        elif read == "open":
            b"".join(store.open(key))
        else:
            store.materialize(key, tmp_path / "out.bin")
    assert info.value.actual == hash_bytes(damaged)
    assert not (tmp_path / "out.bin").exists()
    assert store.missing([key]) == {key}  # so the next push uploads it again
    assert len(list((store.root / "quarantine").iterdir())) == 1
    store.put_bytes(key, data)
    assert store.get_bytes(key) == data


def test_materialize_hard_links_on_the_same_filesystem(
    store: LocalBlobStore, tmp_path: Path
) -> None:
    key, data = blob(os.urandom(100_000))
    store.put_bytes(key, data)
    dest = tmp_path / "job" / "data.bin"
    store.materialize(key, dest)
    assert dest.read_bytes() == data
    assert stat.S_IMODE(dest.stat().st_mode) == 0o444
    same_inode = dest.stat().st_ino == store.path(key).stat().st_ino
    assert same_inode or not store._reflink_works  # reflinked filesystems get a clone instead
    store.delete(key)  # garbage collection does not pull data from under a running job
    assert dest.read_bytes() == data


def test_materialize_copies_when_linking_is_impossible(
    store: LocalBlobStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, data = blob(os.urandom(5000))
    store.put_bytes(key, data)
    monkeypatch.setattr(_files, "try_reflink", lambda src, dest: False)
    monkeypatch.setattr(_files, "try_link", lambda src, dest: False)
    store._reflink_works = True
    dest = tmp_path / "elsewhere.bin"
    store.materialize(key, dest)
    assert dest.read_bytes() == data
    assert dest.stat().st_ino != store.path(key).stat().st_ino
    assert stat.S_IMODE(dest.stat().st_mode) == 0o444
