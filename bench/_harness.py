"""Shared pieces of the benchmarks: launching servers, health polling, memory, statistics.

Every server is started in its own session (process group) so that stopping it also stops any
worker processes it forked; everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = REPO / ".venv" / "bin"
RESULTS = REPO / "bench" / "results"
HOST = "127.0.0.1"
ADMIN_PASSWORD = "bench-admin-password"
MIB = 1024 * 1024
PYCACHE = Path(tempfile.gettempdir()) / "atrium-bench-pycache"

# If `atrium` (atrium.cli.main) cannot be imported, run the same `up`/`server` functions directly.
_SHIM = (
    "import sys, typer; from atrium.cli import serve; "
    "app = typer.Typer(); serve.register(app); app(sys.argv[1:], prog_name='atrium')"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def atrium_command() -> list[str]:
    """``.venv/bin/atrium``, or a shim calling ``atrium.cli.serve`` when the CLI is broken."""
    probe = subprocess.run(
        [str(VENV_BIN / "atrium"), "--help"], capture_output=True, timeout=60, check=False
    )
    if probe.returncode == 0:
        return [str(VENV_BIN / "atrium")]
    print(
        "note: `atrium --help` failed; starting the server through atrium.cli.serve",
        file=sys.stderr,
    )
    return [str(VENV_BIN / "python"), "-c", _SHIM]


def clean_env(bytecode_cache: bool = True, **extra: str) -> dict[str, str]:
    """The current environment without ATRIUM_* variables, plus ``extra``.

    With ``bytecode_cache`` Python may cache compiled modules (in PYCACHE, outside the tree) as
    it does on a user's machine; the environment the benchmarks run in may set
    PYTHONDONTWRITEBYTECODE, which makes every start compile every imported module again.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATRIUM_")}
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    env.update(extra)
    return env


@dataclass
class Launched:
    proc: subprocess.Popen[bytes]
    started: float
    log: Path

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def launch(args: Sequence[str], env: dict[str, str], log: Path) -> Launched:
    """Start ``args`` in a new session with output to ``log``; remember the launch instant."""
    out = log.open("wb")
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(args), stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
    )
    out.close()
    return Launched(proc, started, log)


def wait_healthy(server: Launched, url: str, timeout: float = 120.0) -> float:
    """Poll ``url`` every 5 ms until it answers 200; return seconds since the launch."""
    deadline = server.started + timeout
    with httpx.Client(timeout=2.0) as client:
        while time.perf_counter() < deadline:
            if server.proc.poll() is not None:
                raise RuntimeError(
                    f"server exited ({server.proc.returncode}):\n{server.log_tail()}"
                )
            try:
                if client.get(url).status_code == 200:
                    return time.perf_counter() - server.started
            except httpx.TransportError:
                pass
            time.sleep(0.005)
    raise TimeoutError(f"{url} not healthy after {timeout:.0f} s:\n{server.log_tail()}")


def tree(pid: int) -> list[psutil.Process]:
    """The process and all its descendants that still exist."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _sum(procs: Iterable[psutil.Process], field: str) -> int:
    total = 0
    for p in procs:
        try:
            info = p.memory_full_info() if field == "uss" else p.memory_info()
            total += int(getattr(info, field))
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total


def memory_mib(procs: Sequence[psutil.Process]) -> dict[str, float]:
    """RSS and USS sums in MiB (USS does not double-count pages shared between processes)."""
    return {
        "rss_mib": round(_sum(procs, "rss") / MIB, 1),
        "uss_mib": round(_sum(procs, "uss") / MIB, 1),
        "processes": len(procs),
    }


def settled_memory(
    pid: int, min_wait: float, max_wait: float, window: int = 5, tolerance: float = 0.01
) -> dict[str, float]:
    """Memory of the tree once its RSS moved less than ``tolerance`` over ``window`` seconds.

    Some servers keep starting workers and importing long after they answer health checks;
    waits at least ``min_wait`` and at most ``max_wait`` seconds, and says how long it waited.
    """
    start, history = time.monotonic(), []
    while True:
        history.append(_sum(tree(pid), "rss"))
        waited = time.monotonic() - start
        recent = history[-(window + 1) :]
        stable = len(recent) > window and max(recent) - min(recent) <= tolerance * max(recent)
        if (waited >= min_wait and stable) or waited >= max_wait:
            return {**memory_mib(tree(pid)), "settle_s": round(waited, 1)}
        time.sleep(1.0)


class CpuMeter:
    """CPU seconds a changing set of processes spent since ``start``.

    Remembers the last reading of every process it saw, so processes that exit during the
    window (pooled database connections being closed) still count up to their last reading.
    """

    def __init__(self, procs: Callable[[], list[psutil.Process]]) -> None:
        self.procs = procs
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}

    def _read(self) -> dict[int, float]:
        out = {}
        for p in self.procs():
            try:
                t = p.cpu_times()
            except psutil.NoSuchProcess:
                continue
            out[p.pid] = t.user + t.system
        return out

    def start(self) -> None:
        self.first = self._read()
        self.last = dict(self.first)

    def sample(self) -> None:
        self.last.update(self._read())

    def seconds(self) -> float:
        self.sample()
        return sum(v - self.first.get(pid, 0.0) for pid, v in self.last.items())


def stop(server: Launched, grace: float = 10.0) -> None:
    """SIGTERM the process group, then SIGKILL it and any descendant that left the group."""
    members = tree(server.proc.pid)
    _signal_group(server.proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.proc.wait(timeout=grace)
    _signal_group(server.proc.pid, signal.SIGKILL)
    for p in members:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            continue
    server.proc.wait(timeout=grace)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def busy_cores(before: Any, after: Any) -> float:
    """Cores busy between two ``psutil.cpu_times()`` snapshots (all CPUs together)."""
    idle = (after.idle + getattr(after, "iowait", 0)) - (before.idle + getattr(before, "iowait", 0))
    total = sum(after) - sum(before)
    return (total - idle) / total * (psutil.cpu_count() or 1) if total > 0 else float("nan")


def wait_for_quiet(max_wait: float, threshold: float = 0.3, window: float = 2.0) -> float:
    """Wait (up to ``max_wait`` s) until the machine's other work uses < ``threshold`` cores.

    The benchmark shares the machine; returns the busy cores of the last window so the
    result can say how quiet it was.
    """
    deadline, warned = time.monotonic() + max_wait, False
    while True:
        before = psutil.cpu_times()
        time.sleep(window)
        busy = busy_cores(before, psutil.cpu_times())
        if busy < threshold or time.monotonic() >= deadline:
            return busy
        if not warned:
            print(f"  waiting for the machine to quiet down ({busy:.2f} cores busy)", flush=True)
            warned = True


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values; NaN for none."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def spread(values: Sequence[float]) -> str:
    """``median (min-max)`` with a precision that suits the magnitude."""
    if not values:
        return "n/a"
    digits = 0 if median(values) >= 100 else 2 if median(values) < 10 else 1
    m, lo, hi = median(values), min(values), max(values)
    return f"{m:.{digits}f} ({lo:.{digits}f}-{hi:.{digits}f})"


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 1024**3, 1),
        "python": sys.version.split()[0],
        "platform": sys.platform,
    }


def write_results(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{name}-{stamp}.json"
    path.write_text(json.dumps({"machine": machine(), **payload}, indent=2, default=str))
    return path


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=True)]
    line = "  ".join(f"{h:<{w}}" for h, w in zip(headers, widths, strict=True))
    print(line)
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(f"{c:<{w}}" for c, w in zip(row, widths, strict=True)))
