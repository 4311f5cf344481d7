"""Hashing files (whole and in chunks), the local hash cache, and the pack format."""

from __future__ import annotations

import itertools
import os
import sqlite3
import time
from pathlib import Path

import pytest
from blake3 import blake3
from hypothesis import given
from hypothesis import strategies as st

from atrium.sdk.datasets import FileEntry, LocalDataError, pack
from atrium.sdk.datasets import hashing as hashing_module
from atrium.sdk.datasets.hashcache import HashCache, cache_dir
from atrium.sdk.datasets.hashing import CHUNK_SIZE, hash_files
from atrium.sdk.datasets.scan import LocalFile, scan

MiB = 1024 * 1024


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path.parent / f"{tmp_path.name}-cache"  # outside the trees the tests scan
    monkeypatch.setenv("ATRIUM_CACHE_DIR", str(home))
    return home


def settle(*paths: Path) -> None:
    """Age files past the racy window, so that the cache may vouch for them."""
    old = time.time_ns() - 10**9
    for path in paths:
        for p in [path] if path.is_file() else path.rglob("*"):
            os.utime(p, ns=(old, old))


def make_tree(root: Path, sizes: dict[str, int]) -> dict[str, bytes]:
    contents = {}
    for name, size in sizes.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = os.urandom(size)
        path.write_bytes(data)
        contents[name] = data
    return contents


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = hashing_module._hash_one

    def counting(f: LocalFile, keep: bool) -> hashing_module.Digest:
        seen.append(f.path)
        return real(f, keep)

    monkeypatch.setattr(hashing_module, "_hash_one", counting)
    return seen


def test_hashes_match_blake3_for_small_medium_and_empty_files(tmp_path: Path) -> None:
    contents = make_tree(tmp_path, {"empty": 0, "small": 4096, "medium": 3 * MiB + 5, "x/y": 17})
    hashed = hash_files(scan(tmp_path), None)
    assert {e.path: e.hash for e in hashed.entries} == {
        name: blake3(data).hexdigest() for name, data in contents.items()
    }
    assert all(e.chunks is None for e in hashed.entries)
    assert (hashed.files_read, hashed.bytes_read) == (4, sum(map(len, contents.values())))


def test_a_file_above_64_mib_is_chunked(tmp_path: Path) -> None:
    data = os.urandom(CHUNK_SIZE + 3)
    (tmp_path / "big.bin").write_bytes(data)
    (tmp_path / "exact.bin").write_bytes(data[:CHUNK_SIZE])
    big, exact = hash_files(scan(tmp_path), None).entries
    assert big.hash == blake3(data).hexdigest()
    assert big.chunks == (
        blake3(data[:CHUNK_SIZE]).hexdigest(),
        blake3(data[CHUNK_SIZE:]).hexdigest(),
    )
    assert (exact.hash, exact.chunks) == (blake3(data[:CHUNK_SIZE]).hexdigest(), None)


def test_results_keep_the_input_order_whatever_the_batching(tmp_path: Path) -> None:
    sizes = {f"f{i:03d}": (2 * MiB if i % 7 == 0 else i) for i in range(300)}
    contents = make_tree(tmp_path, sizes)
    entries = hash_files(scan(tmp_path), None, workers=4).entries
    assert [e.hash for e in entries] == [blake3(contents[e.path]).hexdigest() for e in entries]


def test_small_files_bytes_are_kept_within_the_budget(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a": 1000, "b": 1000, "c": 1000, "big": 2 * MiB})
    hashed = hash_files(scan(tmp_path), None, keep_budget=2500)
    kept = {e.path for e in hashed.entries if e.hash in hashed.kept}
    assert kept == {"a", "b"}
    assert all(hashed.kept[e.hash] == (tmp_path / e.path).read_bytes() for e in hashed.entries[:2])


def test_progress_reports_files_and_bytes(tmp_path: Path) -> None:
    make_tree(tmp_path, {f"f{i}": 100 for i in range(600)})
    reports: list[tuple[int, int, int, int]] = []
    hash_files(scan(tmp_path), None, progress=lambda *r: reports.append(r))
    assert reports[0] == (0, 600, 0, 60_000)
    assert reports[-1] == (600, 600, 60_000, 60_000)


def test_the_cache_spares_reading_unchanged_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "data"
    make_tree(root, {f"f{i}": 64 for i in range(50)} | {"big": CHUNK_SIZE + 1})
    settle(root)
    reads = count_reads(monkeypatch)
    first = _hash_with_cache(root)
    assert len(reads) == 51
    reads.clear()
    again = _hash_with_cache(root)
    assert reads == []
    assert [(e.hash, e.chunks) for e in again] == [(e.hash, e.chunks) for e in first]

    (root / "f7").write_bytes(b"changed")
    settle(root / "f7")
    (root / "f8").unlink()
    changed = {e.path: e.hash for e in _hash_with_cache(root)}
    assert reads == ["f7"]
    assert changed["f7"] == blake3(b"changed").hexdigest()
    assert "f8" not in HashCache(root).rows  # forgotten


def _hash_with_cache(root: Path) -> list[FileEntry]:
    files = scan(root)
    cache = HashCache(root)
    hashed = hash_files(files, cache)
    cache.forget_missing(f.path for f in files)
    cache.save()
    cache.close()
    return hashed.entries


def test_files_modified_just_now_are_not_trusted_to_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path, {"fresh": 10})
    soon = time.time_ns() + 10**10  # "just now" whatever the machine's load
    os.utime(tmp_path / "fresh", ns=(soon, soon))
    reads = count_reads(monkeypatch)
    _hash_with_cache(tmp_path)
    _hash_with_cache(tmp_path)
    assert reads == ["fresh", "fresh"]  # a same-size rewrite in the same tick would be missed


def test_a_cache_key_includes_size_mtime_and_inode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path, {"f": 10})
    settle(tmp_path)
    _hash_with_cache(tmp_path)
    reads = count_reads(monkeypatch)
    st = os.stat(tmp_path / "f")
    os.utime(tmp_path / "f", ns=(st.st_atime_ns, st.st_mtime_ns - 1000))  # mtime only
    _hash_with_cache(tmp_path)
    replacement = tmp_path / "g"
    replacement.write_bytes((tmp_path / "f").read_bytes())
    os.utime(replacement, ns=(st.st_atime_ns, st.st_mtime_ns - 1000))
    os.replace(replacement, tmp_path / "f")  # same size and mtime, new inode
    _hash_with_cache(tmp_path)
    assert reads == ["f", "f"]


def test_the_cache_lives_in_atrium_cache_dir_and_survives_corruption(
    tmp_path: Path, cache_home: Path
) -> None:
    make_tree(tmp_path / "d", {"f": 10})
    settle(tmp_path / "d")
    _hash_with_cache(tmp_path / "d")
    assert cache_dir() == cache_home
    with sqlite3.connect(cache_home / "hashes.sqlite") as db:
        assert db.execute("SELECT count(*) FROM files").fetchone() == (1,)
    (cache_home / "hashes.sqlite").write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        (cache_home / f"hashes.sqlite{suffix}").unlink(missing_ok=True)
    expected = blake3((tmp_path / "d/f").read_bytes()).hexdigest()
    assert _hash_with_cache(tmp_path / "d")[0].hash == expected
    assert len(HashCache(tmp_path / "d").rows) == 1  # the damaged file was replaced


def test_twenty_thousand_rows_load_and_save_quickly(tmp_path: Path) -> None:
    cache = HashCache(tmp_path)
    for i in range(20_000):
        cache.put((f"dir/file-{i:05d}", 4096, 10**18 + i, i, "ab" * 32, None))
    started = time.perf_counter()
    cache.save()
    cache.close()
    loaded = HashCache(tmp_path)
    elapsed = time.perf_counter() - started
    assert len(loaded.rows) == 20_000
    assert loaded.get("dir/file-00042", 4096, 10**18 + 42, 42) == ("ab" * 32, None)
    assert elapsed < 2  # typically ~0.1 s; generous for a loaded CI machine


def test_a_file_that_shrinks_while_read_is_reported(tmp_path: Path) -> None:
    make_tree(tmp_path, {"f": 100})
    files = scan(tmp_path)
    (tmp_path / "f").write_bytes(b"short")
    with pytest.raises(LocalDataError, match="changed while it was read") as caught:
        hash_files(files, None)
    assert caught.value.code == "file_changed"


# ---- pack format ---------------------------------------------------------------------


def test_pack_layout_is_hash_size_bytes() -> None:
    data = b"hello"
    digest = blake3(data).hexdigest()
    body = pack.encode([(digest, data)])
    assert body == bytes.fromhex(digest) + (5).to_bytes(8, "big") + b"hello"


@given(
    blobs=st.lists(st.binary(max_size=300), max_size=20),
    cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=10),
)
def test_pack_round_trips_however_the_stream_is_cut(blobs: list[bytes], cuts: list[int]) -> None:
    records = [(blake3(b).hexdigest(), b) for b in blobs]
    body = pack.encode(records)
    bounds = sorted({0, len(body), *(c % (len(body) + 1) for c in cuts)})
    pieces = [body[a:b] for a, b in itertools.pairwise(bounds)]
    assert list(pack.decode(pieces)) == records


def test_a_truncated_pack_is_an_error() -> None:
    body = pack.encode([(blake3(b"abc").hexdigest(), b"abc")])
    with pytest.raises(LocalDataError, match="ended inside a record"):
        list(pack.decode([body[:-1]]))


def test_unreadable_and_vanished_files_are_reported(tmp_path: Path) -> None:
    make_tree(tmp_path, {"gone": 10, "locked": 10})
    files = scan(tmp_path)
    (tmp_path / "gone").unlink()
    with pytest.raises(LocalDataError, match="gone: file changed"):
        hash_files(files, None)
    if os.geteuid() != 0:  # root reads anything
        (tmp_path / "locked").chmod(0)
        with pytest.raises(LocalDataError, match="locked: cannot read it") as caught:
            hash_files(files[1:], None)
        assert caught.value.code == "unreadable"
