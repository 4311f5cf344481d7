"""LocalBlobStore packs: small blobs of ``put_many`` in pack files behind a SQLite index."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from atrium.server.backends.blobstore import BlobCorrupt, LocalBlobStore, hash_bytes
from atrium.server.backends.blobstore import local as local_module

KiB = 1024


def blobs(count: int, size: int = 4 * KiB) -> dict[str, bytes]:
    datas = [os.urandom(size) for _ in range(count)]
    return {hash_bytes(d): d for d in datas}


def pack_files(store: LocalBlobStore) -> list[Path]:
    return sorted((store.root / "packs").glob("*.pack"))


def loose_files(store: LocalBlobStore) -> list[Path]:
    return [p for p in store.root.glob("??/??/*") if p.is_file()]


@pytest.fixture
def store(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


def test_small_blobs_share_one_read_only_pack_and_survive_reopening(
    store: LocalBlobStore,
) -> None:
    wanted = blobs(500)
    assert store.put_many(wanted.items()) == []
    [pack] = pack_files(store)
    assert pack.stat().st_size == 500 * 4 * KiB
    assert stat.S_IMODE(pack.stat().st_mode) == 0o444
    assert loose_files(store) == []
    reopened = LocalBlobStore(store.root)
    assert reopened.missing(wanted) == set()
    assert all(reopened.get_bytes(k) == d for k, d in wanted.items())


def test_large_blobs_of_a_batch_stay_loose_files(store: LocalBlobStore) -> None:
    big = os.urandom(store.pack_max_blob + 1)
    small = os.urandom(100)
    store.put_many([(hash_bytes(big), big), (hash_bytes(small), small)])
    assert loose_files(store) == [store.path(hash_bytes(big))]
    assert len(pack_files(store)) == 1


def test_an_unindexed_pack_is_invisible_and_swept_once_stale(store: LocalBlobStore) -> None:
    data = os.urandom(4 * KiB)
    orphan = store.root / "packs" / "dead-beef.pack"
    orphan.write_bytes(data)  # what a process killed between writing and indexing leaves
    assert store.missing([hash_bytes(data)]) == {hash_bytes(data)}
    LocalBlobStore(store.root)
    assert orphan.exists()  # young: maybe another process's pack about to be indexed
    old = time.time() - local_module.STALE_TMP_SECONDS - 60
    os.utime(orphan, (old, old))
    LocalBlobStore(store.root)
    assert not orphan.exists()


def test_deleting_every_blob_of_a_pack_removes_the_file(store: LocalBlobStore) -> None:
    wanted = blobs(10)
    store.put_many(wanted.items())
    for key in wanted:
        store.delete(key)
    assert pack_files(store) == []
    assert list(store.iter_keys()) == []


def test_a_mostly_dead_pack_is_compacted(store: LocalBlobStore) -> None:
    wanted = blobs(400)  # 1.6 MiB: above the size worth compacting
    store.put_many(wanted.items())
    [before] = pack_files(store)
    keys = sorted(wanted)
    for key in keys[:201]:
        store.delete(key)
    [after] = pack_files(store)
    assert after != before
    assert after.stat().st_size == 199 * 4 * KiB
    assert store.missing(keys) == set(keys[:201])
    assert all(store.get_bytes(k) == wanted[k] for k in keys[201:])


def test_a_damaged_packed_blob_is_quarantined_and_repaired(store: LocalBlobStore) -> None:
    wanted = blobs(3)
    store.put_many(wanted.items())
    [pack] = pack_files(store)
    pack.chmod(0o644)
    with open(pack, "r+b") as f:
        f.seek(5)
        byte = f.read(1)
        f.seek(5)
        f.write(bytes([byte[0] ^ 0xFF]))
    damaged = min(wanted, key=lambda k: store._packs.find(k).offset)  # type: ignore[union-attr]
    with pytest.raises(BlobCorrupt):
        store.get_bytes(damaged)
    assert store.missing(wanted) == {damaged}
    assert len(list((store.root / "quarantine").iterdir())) == 1
    assert store.put_many([(damaged, wanted[damaged])]) == []
    assert store.get_bytes(damaged) == wanted[damaged]


def test_get_many_quarantines_a_damaged_packed_blob(store: LocalBlobStore) -> None:
    wanted = blobs(3)
    store.put_many(wanted.items())
    [pack] = pack_files(store)
    pack.chmod(0o644)
    damaged = min(wanted, key=lambda k: store._packs.find(k).offset)  # type: ignore[union-attr]
    with open(pack, "r+b") as f:
        f.write(b"\0")
    with pytest.raises(BlobCorrupt):
        list(store.get_many(sorted(wanted)))
    assert store.missing(wanted) == {damaged}
    assert len(list((store.root / "quarantine").iterdir())) == 1


def test_get_many_reads_blobs_moved_by_a_compaction_meanwhile(store: LocalBlobStore) -> None:
    wanted = blobs(400)
    store.put_many(wanted.items())
    keys = sorted(wanted)
    reading = store.get_many(keys[201:])
    assert next(reading) == (keys[201], wanted[keys[201]])  # the old pack is open now
    for key in keys[:201]:
        store.delete(key)  # compacts: the old pack file is removed
    assert dict(reading) == {k: wanted[k] for k in keys[202:]}
    fresh = store.get_many(keys[201:])  # looked up after the move: reads the new pack
    assert dict(fresh) == {k: wanted[k] for k in keys[201:]}


def test_materialized_packed_blob_is_a_read_only_copy(
    store: LocalBlobStore, tmp_path: Path
) -> None:
    wanted = blobs(2)
    store.put_many(wanted.items())
    key = next(iter(wanted))
    dest = tmp_path / "job" / "input.bin"
    store.materialize(key, dest)
    assert dest.read_bytes() == wanted[key]
    assert stat.S_IMODE(dest.stat().st_mode) == 0o444
    store.delete(key)
    assert dest.read_bytes() == wanted[key]


def test_concurrent_batches_of_the_same_blobs_keep_one_copy(store: LocalBlobStore) -> None:
    wanted = blobs(200)
    barrier = threading.Barrier(6)

    def put() -> list[BlobCorrupt]:
        barrier.wait()
        return store.put_many(wanted.items())

    with ThreadPoolExecutor(6) as pool:
        assert list(pool.map(lambda _: put(), range(6))) == [[]] * 6
    assert sorted(store.iter_keys()) == sorted(wanted)
    live = sum(p.stat().st_size for p in pack_files(store))
    assert live == 200 * 4 * KiB  # packs that lost every race were removed


CHILD = """
import os, sys, time
from pathlib import Path
from atrium.server.backends.blobstore import LocalBlobStore, hash_bytes
from atrium.server.backends.blobstore._packs import PackIndex

store = LocalBlobStore(Path(sys.argv[1]))
if sys.argv[2] == "before-index":
    def stall(*args, **kwargs):
        print("written", flush=True)
        time.sleep(60)
    PackIndex.add = stall
else:
    print("written", flush=True)
while True:
    batch = [os.urandom(4096) for _ in range(300)]
    store.put_many([(hash_bytes(d), d) for d in batch])
"""


@pytest.mark.parametrize("moment", ["before-index", "anywhere"])
def test_kill_9_during_put_many_leaves_only_complete_verified_blobs(
    tmp_path: Path, moment: str
) -> None:
    root = tmp_path / "blobs"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root), moment], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "written\n"
    time.sleep(0.05 if moment == "before-index" else 0.5)
    child.send_signal(signal.SIGKILL)
    child.wait()
    store = LocalBlobStore(root)
    keys = list(store.iter_keys())
    if moment == "before-index":
        assert keys == []
        assert len(pack_files(store)) == 1  # the unindexed pack, kept until it is stale
    else:
        assert keys
        assert len(keys) % 300 == 0  # a batch is visible whole or not at all
    for key in keys:
        assert hash_bytes(store.get_bytes(key)) == key
