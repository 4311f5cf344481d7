"""Floors of this machine under the datasets benchmark (bench/datasets.py): what no design that
keeps Atrium's architecture (a Python client, HTTP to a Python server) can go below.

    .venv/bin/python bench/datasets_floors.py [--reps 3] [--dir /tmp]

* HTTP: 1 GiB as 64 POSTs of 16 MiB over loopback, httpx (4 threads) to uvicorn with h11 and
  asyncio (as ``atrium up`` runs) into a route that only reads the body.
* Writing: 1,000 files of 1,073,741 bytes and 20,000 files of 4 KiB, one thread, no fsync,
  each into a new directory (the data shapes of dirA and dirB).
* Start-up: ``python -c "import typer, httpx, rich.console"`` (what any ``atrium`` command
  imports before doing anything) and ``atrium --version``.

Prints medians (min-max) of wall time and CPU time; the files are deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil

VENV_BIN = Path(sys.executable).parent
GIB_PARTS, PART = 64, 16 * 1024 * 1024


def serve(port: int) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def sink(request: Request) -> Response:
        return Response(str(len(await request.body())))

    app = Starlette(routes=[Route("/sink", sink, methods=["POST"])])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", http="h11")


def cpu_of(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def http_floor(reps: int) -> list[tuple[float, float]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port)])
    url = f"http://127.0.0.1:{port}/sink"
    try:
        for _ in range(400):
            try:
                httpx.post(url, content=b"x")
                break
            except httpx.TransportError:
                time.sleep(0.05)
        body = os.urandom(PART)
        samples = []
        for _ in range(reps):
            before = cpu_of(server.pid) + cpu_of(os.getpid())
            start = time.perf_counter()
            with httpx.Client(timeout=120) as client, ThreadPoolExecutor(4) as pool:
                list(pool.map(lambda _: client.post(url, content=body), range(GIB_PARTS)))
            wall = time.perf_counter() - start
            samples.append((wall, cpu_of(server.pid) + cpu_of(os.getpid()) - before))
        return samples
    finally:
        server.terminate()
        server.wait()


def write_floor(root: Path, count: int, size: int) -> tuple[float, float]:
    data = os.urandom(size)
    root.mkdir()
    os.sync()
    cpu, start = time.process_time(), time.perf_counter()
    for i in range(count):
        fd = os.open(root / f"f{i:05}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, data)
        os.close(fd)
    return time.perf_counter() - start, time.process_time() - cpu


def command_floor(argv: list[str]) -> tuple[float, float]:
    before = os.times()
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    after = os.times()
    wall = time.perf_counter() - start
    used = after.children_user + after.children_system
    return wall, used - before.children_user - before.children_system


def show(label: str, samples: list[tuple[float, float]]) -> None:
    walls, cpus = [w for w, _ in samples], [c for _, c in samples]
    print(
        f"{label:<58} wall {statistics.median(walls):6.3f} s ({min(walls):.3f}-{max(walls):.3f})"
        f"  cpu {statistics.median(cpus):6.3f} s",
        flush=True,
    )


def repeat(reps: int, run: Callable[[int], tuple[float, float]]) -> list[tuple[float, float]]:
    return [run(rep) for rep in range(reps)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    show("1 GiB over loopback HTTP (httpx -> uvicorn h11)", http_floor(args.reps))
    scratch = Path(tempfile.mkdtemp(prefix="atrium-floors-", dir=args.dir))
    try:
        show(
            "write 1,000 files x 1,073,741 B",
            repeat(args.reps, lambda r: write_floor(scratch / f"a{r}", 1000, 1_073_741)),
        )
        show("write 20,000 files x 4 KiB",
             repeat(args.reps, lambda r: write_floor(scratch / f"b{r}", 20_000, 4096)))  # fmt: skip
    finally:
        shutil.rmtree(scratch)
    imports = [sys.executable, "-c", "import typer, httpx, rich.console"]
    show("start-up: import typer, httpx, rich.console", repeat(5, lambda _: command_floor(imports)))
    version = [str(VENV_BIN / "atrium"), "--version"]
    show("start-up: atrium --version", repeat(5, lambda _: command_floor(version)))


if __name__ == "__main__":
    main()
