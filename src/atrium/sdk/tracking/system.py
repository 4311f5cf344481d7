"""System metrics sampled while a run is active: this process's CPU and memory, the machine's
memory and load, and the GPUs when ``nvidia-smi`` is there. Logged as ``system/<name>``.

Only the standard library (and /proc on Linux) is used: the SDK adds no dependency for this.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

PREFIX = "system/"
Log = Callable[[str, float, int], None]


def parse_meminfo(text: str) -> float | None:
    """Percent of the machine's memory in use, from /proc/meminfo."""
    fields = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            fields[name] = int(parts[0])
    total, available = fields.get("MemTotal"), fields.get("MemAvailable")
    if not total or available is None:
        return None
    return 100.0 * (total - available) / total


def parse_nvidia_smi(text: str) -> dict[str, float]:
    """``utilization.gpu, memory.used`` CSV lines (no header, no units), one per GPU."""
    found: dict[str, float] = {}
    for index, line in enumerate(text.strip().splitlines()):
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 2 or not all(p.replace(".", "", 1).isdigit() for p in parts):
            continue
        found[f"gpu{index}_percent"] = float(parts[0])
        found[f"gpu{index}_memory_bytes"] = float(parts[1]) * 2**20
    return found


class Sampler:
    """Takes one sample of everything it can read on this machine."""

    def __init__(self) -> None:
        self._cpu = self._cpu_seconds()
        self._wall = time.monotonic()
        self._smi = shutil.which("nvidia-smi")
        self._page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

    @staticmethod
    def _cpu_seconds() -> float:
        times = os.times()
        return times.user + times.system

    def sample(self) -> dict[str, float]:
        cpu, wall = self._cpu_seconds(), time.monotonic()
        elapsed = max(wall - self._wall, 1e-9)
        found = {"cpu_percent": 100.0 * (cpu - self._cpu) / elapsed}
        self._cpu, self._wall = cpu, wall
        statm = _read("/proc/self/statm")
        if statm:
            found["memory_rss_bytes"] = float(int(statm.split()[1]) * self._page)
        used = parse_meminfo(_read("/proc/meminfo") or "")
        if used is not None:
            found["memory_used_percent"] = used
        if hasattr(os, "getloadavg"):
            found["load_1m"] = os.getloadavg()[0]
        if self._smi:
            found.update(self._gpus(self._smi))
        return found

    @staticmethod
    def _gpus(smi: str) -> dict[str, float]:
        query = "--query-gpu=utilization.gpu,memory.used"
        try:
            done = subprocess.run(
                [smi, query, "--format=csv,noheader,nounits"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return {}
        return parse_nvidia_smi(done.stdout) if done.returncode == 0 else {}


class SystemMetrics:
    """A daemon thread logging a sample every ``interval`` seconds until stopped."""

    def __init__(self, log: Log, interval: float = 10.0) -> None:
        self._log = log
        self.interval = interval
        self._stop = threading.Event()
        self._sampler = Sampler()
        self._thread = threading.Thread(target=self._run, name="atrium-system", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        step = 0
        while not self._stop.wait(self.interval):
            for name, value in self._sampler.sample().items():
                self._log(PREFIX + name, value, step)
            step += 1

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text()
    except OSError:
        return None
