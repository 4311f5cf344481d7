"""Per-attempt cgroups (v2), used when this process may create them.

A cgroup holds every process of an attempt wherever it moves in the process tree, gives exact
CPU time (``cpu.stat``) and, where the memory controller is enabled for it, a kernel-enforced
``memory.max``. Containers usually mount ``/sys/fs/cgroup`` read-only and hybrid (v1 + v2)
hosts enable no controller on the v2 tree: then attempts get a cgroup without a memory limit
(the shim enforces it) or none at all (the shim's subreaper and the environment mark find the
processes instead).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def find_root(root: Path | None = None) -> Path | None:
    """``root`` (default: this process's own cgroup v2 directory) if we may create cgroups
    below it, else None."""
    if root is None:
        mount = _cgroup2_mount()
        own = _own_cgroup()
        if mount is None or own is None:
            return None
        root = mount / own.lstrip("/")
    probe = root / f"atrium-probe-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        probe.mkdir()
        probe.rmdir()
    except OSError:
        return None
    return root


def _cgroup2_mount() -> Path | None:
    try:
        with open("/proc/self/mountinfo") as file:
            for line in file:
                fields, _, tail = line.partition(" - ")
                if tail.split(" ", 1)[0] == "cgroup2":
                    return Path(fields.split()[4])
    except OSError:
        pass
    return None


def _own_cgroup() -> str | None:
    try:
        with open("/proc/self/cgroup") as file:
            for line in file:
                if line.startswith("0::"):
                    return line[3:].strip()
    except OSError:
        pass
    return None


def limits_memory(root: Path) -> bool:
    """Whether cgroups created under ``root`` get a ``memory.max`` (controller enabled)."""
    try:
        return "memory" in (root / "cgroup.subtree_control").read_text().split()
    except OSError:
        return False


def create(root: Path, name: str, memory_bytes: int) -> tuple[Path, bool]:
    """A new cgroup under ``root``; True when the kernel enforces ``memory_bytes`` in it."""
    path = root / name
    path.mkdir()
    if memory_bytes <= 0 or not (path / "memory.max").exists():
        return path, False
    try:
        (path / "memory.max").write_text(str(memory_bytes))
        # On overrun the whole attempt dies together, not one arbitrary process of it.
        (path / "memory.oom.group").write_text("1")
    except OSError:
        return path, False
    return path, True


def remove(path: str) -> None:
    """Remove an attempt's cgroup once it is empty (the kernel refuses otherwise)."""
    with contextlib.suppress(OSError):
        os.rmdir(path)
