"""Executors: launch, observe and kill job attempts (local subprocesses or a Ray cluster).

``open_executor(url)`` turns the executor setting into an executor:

* ``local``, optionally with query options: ``local?cpu=4&memory=8GiB&gpu=1&kill_grace=5``
  ``&cgroups=auto|always|never&cgroup_root=/sys/fs/cgroup/atrium`` -> :class:`LocalExecutor`
  (capacity defaults to this machine's CPUs and memory);
* ``ray+http://127.0.0.1:8265`` (or ``ray+https://``): the Ray dashboard's address ->
  :class:`RayExecutor`; Ray itself is imported only then (``pip install atrium[ray]``).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qs, urlsplit, urlunsplit

from atrium.server.backends.executors.base import (
    Executor,
    ExecutorError,
    LaunchSpec,
    Observation,
    Resources,
    Sample,
    State,
    UnknownHandle,
)
from atrium.server.backends.executors.local import CgroupMode, LocalExecutor, machine_resources

if TYPE_CHECKING:
    from atrium.server.backends.executors.ray import RayExecutor

__all__ = [
    "Executor",
    "ExecutorError",
    "LaunchSpec",
    "LocalExecutor",
    "Observation",
    "RayExecutor",
    "Resources",
    "Sample",
    "State",
    "UnknownHandle",
    "open_executor",
    "parse_bytes",
]


def __getattr__(name: str) -> Any:
    if name == "RayExecutor":  # importing Ray takes ~0.7 s: only its users pay
        from atrium.server.backends.executors.ray import RayExecutor

        return RayExecutor
    raise AttributeError(name)


_LOCAL_OPTIONS = {"cpu", "memory", "gpu", "kill_grace", "cgroups", "cgroup_root"}
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", re.IGNORECASE)


def parse_bytes(text: str) -> int:
    """``4294967296``, ``4G``, ``4GiB`` and ``1.5 GB`` are all binary multiples of a byte."""
    found = _SIZE.fullmatch(text)
    if found is None:
        raise ValueError(f"not an amount of memory: {text!r} (try 8GiB or 512MiB)")
    return int(float(found.group(1)) * _UNITS[found.group(2).lower()])


def open_executor(url: str) -> Executor:
    """The executor a setting names; ValueError for anything else."""
    parts = urlsplit(url)
    if parts.scheme in ("ray+http", "ray+https"):
        if parts.query:
            raise ValueError(f"the Ray executor takes no options: {url!r}")
        from atrium.server.backends.executors.ray import RayExecutor

        address = urlunsplit((parts.scheme[4:], parts.netloc, parts.path, "", ""))
        return RayExecutor(address.rstrip("/"))
    if (parts.scheme, parts.netloc, parts.path) in (("", "", "local"), ("local", "", "")):
        return _open_local(parts.query)
    raise ValueError(
        f"unknown executor {url!r}: use 'local[?options]' or 'ray+http://HOST:DASHBOARD_PORT'"
    )


def _open_local(query: str) -> LocalExecutor:
    raw = parse_qs(query, keep_blank_values=True, strict_parsing=bool(query))
    unknown = set(raw) - _LOCAL_OPTIONS
    if unknown:
        known = ", ".join(sorted(_LOCAL_OPTIONS))
        raise ValueError(f"unknown local executor option(s) {sorted(unknown)}; known: {known}")
    options = {name: values[-1] for name, values in raw.items()}
    capacity = machine_resources()
    if "cpu" in options:
        capacity = dataclasses.replace(capacity, cpu=float(options["cpu"]))
    if "memory" in options:
        capacity = dataclasses.replace(capacity, memory_bytes=parse_bytes(options["memory"]))
    if "gpu" in options:
        capacity = dataclasses.replace(capacity, gpu=int(options["gpu"]))
    root = options.get("cgroup_root")
    return LocalExecutor(
        capacity,
        kill_grace=float(options.get("kill_grace", "5")),
        cgroups=cast(CgroupMode, options.get("cgroups", "auto")),  # LocalExecutor checks it
        cgroup_root=Path(root) if root else None,
    )
