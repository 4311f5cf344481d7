"""Executor fixtures: the conformance suite runs against every executor flavour.

``flavour`` is parametrised over the local executor (as configured by default, and with a
cgroup per attempt where this machine allows one) and the Ray executor on a real two-node
loopback cluster (``ray_cluster.py``), started once per test run and shared by the xdist
workers. Tests that touch Ray also carry ``xdist_group("ray")`` for when loadgroup works.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from atrium.server.backends.executors import (
    Executor,
    LaunchSpec,
    LocalExecutor,
    Observation,
    Resources,
    _cgroup,
)

MiB = 1 << 20
RAY = pytest.mark.xdist_group("ray")


@dataclass(frozen=True)
class Flavour:
    """One executor configuration and what it can do, for the tests' expectations."""

    name: str
    new: Callable[[], Executor]
    samples: bool  # sample() reports a running job's use
    enforces_memory: bool  # a job over its memory is killed, with the reason
    exact_bytes: bool  # the log holds the job's bytes unchanged, nothing added


def _local(cgroups: str) -> Flavour:
    if cgroups == "always" and _cgroup.find_root() is None:
        pytest.skip("no writable cgroup v2 directory here")
    return Flavour(
        f"local-{cgroups}",
        lambda: LocalExecutor(kill_grace=2.0, cgroups=cgroups),  # type: ignore[arg-type]
        samples=True,
        enforces_memory=True,
        exact_bytes=True,
    )


@pytest.fixture(params=["local", "local-cgroup", pytest.param("ray", marks=RAY)])
def flavour(request: pytest.FixtureRequest) -> Flavour:
    if request.param == "local":
        return _local("auto")
    if request.param == "local-cgroup":
        return _local("always")
    from atrium.server.backends.executors.ray import RayExecutor

    address: str = request.getfixturevalue("ray_address")
    return Flavour(
        "ray",
        lambda: RayExecutor(address, log_sync_interval=0.2),
        samples=False,
        enforces_memory=False,
        exact_bytes=False,
    )


@pytest.fixture
def executor(flavour: Flavour) -> Iterator[Executor]:
    made = flavour.new()
    yield made
    made.close()


@pytest.fixture
def make_spec(tmp_path: Path) -> Callable[..., LaunchSpec]:
    """Specs for attempts that run in ``tmp_path/work`` and log to ``tmp_path/logs``."""
    workdir = tmp_path / "work"
    workdir.mkdir()
    count = iter(range(1, 1000))

    def make(
        argv: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        memory: int = 0,
        cpu: float = 1.0,
        gpu: int = 0,
    ) -> LaunchSpec:
        attempt = next(count)
        return LaunchSpec(
            job_id=f"t{os.getpid()}-{tmp_path.name}"[:40],
            attempt=attempt,
            argv=list(argv),
            env=env or {},
            workdir=workdir,
            log_path=tmp_path / "logs" / f"attempt-{attempt}.log",
            resources=Resources(cpu=cpu, memory_bytes=memory, gpu=gpu),
        )

    return make


def wait_end(executor: Executor, handle: str, timeout: float = 60.0) -> Observation:
    """Poll until the attempt is no longer starting or running."""
    deadline = time.monotonic() + timeout
    while (observation := executor.poll(handle)).state in ("starting", "running"):
        assert time.monotonic() < deadline, f"still {observation.state} after {timeout} s"
        time.sleep(0.02)
    return observation


def full_log(executor: Executor, handle: str, chunk: int = MiB) -> bytes:
    """The whole log, read in ``chunk``-sized pieces as a streaming client would."""
    parts: list[bytes] = []
    while piece := executor.read_log(handle, sum(map(len, parts)), chunk):
        parts.append(piece)
    return b"".join(parts)


def wait_for_log(executor: Executor, handle: str, text: bytes, timeout: float = 60.0) -> bytes:
    deadline = time.monotonic() + timeout
    while text not in (log := full_log(executor, handle)):
        assert time.monotonic() < deadline, f"{text!r} not in the log after {timeout} s: {log!r}"
        time.sleep(0.05)
    return log


def pid_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in (b"Z", b"X")
