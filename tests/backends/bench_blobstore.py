"""Blob store throughput, local and S3 (moto on loopback). Not a test; run by hand:

    .venv/bin/python -m tests.backends.bench_blobstore [--small 20000] [--large 1000]
        [--s3-small 20000] [--s3-large 200] [--moto-thread]

By default moto runs as a separate process (``python -m moto.server``) so the server and the
client each have a core, as with a real S3 server; ``--moto-thread`` runs it in-process, as the
tests do. Numbers go to stdout only.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import boto3

from atrium.server.backends.blobstore import BlobStore, LocalBlobStore, S3BlobStore, hash_bytes

KiB, MiB = 1024, 1024 * 1024


def blobs(count: int, size: int, tag: int) -> list[tuple[str, bytes]]:
    out = []
    for i in range(count):
        data = os.urandom(size - 16) + i.to_bytes(8, "big") + tag.to_bytes(8, "big")
        out.append((hash_bytes(data), data))
    return out


def timed(label: str, count: int, nbytes: int, action: Callable[[], object]) -> float:
    """Run ``action`` once; print wall time, this process's CPU time and rates."""
    cpu, start = time.process_time(), time.perf_counter()
    action()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    rate = f"{count / elapsed:,.0f} items/s"
    if nbytes:
        rate += f", {nbytes / elapsed / 1e6:,.0f} MB/s"
    print(f"{label:<48} {elapsed:7.2f} s (cpu {cpu:6.2f} s)  {rate}", flush=True)
    return elapsed


def run_suite(name: str, store: BlobStore, small: int, large: int, threads: int) -> list[str]:
    """Time puts, missing(), gets and materialize; return the small blobs' keys."""
    small_set, large_set = blobs(small, 4 * KiB, 1), blobs(large, MiB, 2)

    def each(items: list[tuple[str, bytes]], action: Callable[[str, bytes], object]) -> None:
        if threads == 1:
            for key, data in items:
                action(key, data)
        else:
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(lambda kd: action(*kd), items))

    keys = [k for k, _ in small_set]
    absent = [k for k, _ in blobs(small, 64, 3)]
    timed(
        f"{name}: put {small} x 4 KiB",
        small,
        small * 4 * KiB,
        lambda: each(small_set, store.put_bytes),
    )
    packed = blobs(small, 4 * KiB, 4)
    timed(
        f"{name}: put_many {small} x 4 KiB, 4,000 a call",
        small,
        small * 4 * KiB,
        lambda: [store.put_many(packed[i : i + 4000]) for i in range(0, small, 4000)],
    )
    timed(
        f"{name}: put {large} x 1 MiB", large, large * MiB, lambda: each(large_set, store.put_bytes)
    )
    timed(f"{name}: missing() {small} present", small, 0, lambda: store.missing(keys))
    timed(f"{name}: missing() {small} absent", small, 0, lambda: store.missing(absent))
    half = keys[: small // 2] + absent[: small // 2]
    timed(f"{name}: missing() {len(half)} half/half", len(half), 0, lambda: store.missing(half))
    timed(
        f"{name}: get {small} x 4 KiB",
        small,
        small * 4 * KiB,
        lambda: each(small_set, lambda k, _: store.get_bytes(k)),
    )
    timed(
        f"{name}: get {large} x 1 MiB",
        large,
        large * MiB,
        lambda: each(large_set, lambda k, _: store.get_bytes(k)),
    )
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as out:
        dest = Path(out)
        timed(
            f"{name}: materialize {small} x 4 KiB",
            small,
            small * 4 * KiB,
            lambda: each(small_set, lambda k, _: store.materialize(k, dest / k)),
        )
    return keys


def local_suite(root: Path, small: int, large: int) -> None:
    timed(
        f"floor: create {small} x 4 KiB files",
        small,
        0,
        lambda: floor_create(root / "floor", small),
    )
    run_suite("local", LocalBlobStore(root / "default"), small, large, threads=1)
    n = min(small, 2000)
    synced = LocalBlobStore(root / "fsync-all", fsync_min_size=0)
    timed(
        f"local fsync every blob: put {n} x 4 KiB",
        n,
        n * 4 * KiB,
        lambda: [synced.put_bytes(k, d) for k, d in blobs(n, 4 * KiB, 9)],
    )


def s3_missing_strategies(store: S3BlobStore, present: list[str]) -> None:
    """HEAD per key against LIST per fan-out prefix, on half-present batches of several sizes."""
    absent = [k for k, _ in blobs(len(present), 64, 4)]
    for threshold, label in ((10**9, "HEAD per key"), (0, "LIST fan-out")):
        store.list_threshold = threshold
        for n in sorted({200, 2000, len(present)}):
            batch = present[: n // 2] + absent[: n // 2]

            def run(batch: list[str] = batch) -> object:
                return store.missing(batch)

            timed(f"s3 missing() {len(batch)} half/half, {label}", len(batch), 0, run)


def floor_create(root: Path, count: int) -> None:
    """The plain-Python floor of baselines.md 1c: open/write/close 4 KiB files, one dir."""
    data = os.urandom(4 * KiB)
    root.mkdir()
    for i in range(count):
        with open(root / str(i), "wb") as f:
            f.write(data)


@contextmanager
def moto(in_thread: bool) -> Iterator[str]:
    if in_thread:
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
        server.stop()
        return
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=20000)
    parser.add_argument("--large", type=int, default=1000)
    parser.add_argument("--s3-small", type=int, default=20000)
    parser.add_argument("--s3-large", type=int, default=200)
    parser.add_argument("--s3-threads", type=int, default=16)
    parser.add_argument("--moto-thread", action="store_true")
    parser.add_argument("--skip-local", action="store_true")
    args = parser.parse_args()
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_EC2_METADATA_DISABLED="true"
    )
    if not args.skip_local:
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as root:
            local_suite(Path(root), args.small, args.large)
    if args.s3_small:
        with moto(args.moto_thread) as url:
            boto3.client("s3", endpoint_url=url, region_name="us-east-1").create_bucket(
                Bucket="bench"
            )
            store = S3BlobStore("bench", "b", endpoint_url=url, region="us-east-1")
            keys = run_suite("s3", store, args.s3_small, args.s3_large, threads=args.s3_threads)
            s3_missing_strategies(store, keys)


if __name__ == "__main__":
    main()
