"""The local executor: each attempt is a subprocess tree on this machine, under a small shim.

``launch`` starts :mod:`._shim` (``python -I -S``, a few milliseconds) in a new session with
the job's environment, working directory and log; the shim forks the command and records its
exit status in ``<log>.exit``. Everything else reads files and ``/proc``, so any
``LocalExecutor`` instance (a restarted server included) can poll, sample, kill and read the
log of a handle another instance issued. See docs/executors.md for the limits. Linux only.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from atrium.server.backends.executors import _cgroup, _shim
from atrium.server.backends.executors._common import decode_handle, encode_handle, read_range
from atrium.server.backends.executors.base import (
    ExecutorError,
    LaunchSpec,
    Observation,
    Resources,
    Sample,
    UnknownHandle,
)

#: Variables a job inherits from the server; everything else (ATRIUM_*, credentials, ...) stays.
BASE_ENV_VARS = ("PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "LC_CTYPE", "TZ")
DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"
KILL_GRACE = 5.0
SHIM = os.path.abspath(_shim.__file__)
LOST = "lost: the process ended without recording an exit status"
_HANDLE_TAG = "local/1"
CgroupMode = Literal["auto", "always", "never"]


@dataclass(frozen=True)
class _Handle:
    """What re-attaching needs: the shim's pid and start time (against pid reuse), the mark
    in the environment of the attempt's processes, its cgroup and its log."""

    pid: int
    start: int
    mark: str
    cgroup: str
    log: str

    def encode(self) -> str:
        return encode_handle(_HANDLE_TAG, self.pid, self.start, self.mark, self.cgroup, self.log)

    @classmethod
    def decode(cls, handle: str) -> _Handle:
        pid, start, mark, cgroup, log = decode_handle(handle, _HANDLE_TAG, 5)
        try:
            return cls(int(pid), int(start), str(mark), str(cgroup), str(log))
        except (ValueError, TypeError) as error:
            raise UnknownHandle(f"not a local executor handle: {handle[:100]!r}") from error

    def exit_code(self) -> int | None:
        try:
            return int(Path(self.log + _shim.EXIT_SUFFIX).read_text())
        except (OSError, ValueError):  # absent, or a tmp file renamed in the meantime
            return None

    def reason(self) -> str | None:
        try:
            return Path(self.log + _shim.REASON_SUFFIX).read_text().strip() or None
        except OSError:
            return None

    def orphans(self) -> set[int]:
        """The attempt's processes found without the shim (for when it is gone)."""
        pids = _shim.marked(self.mark) | _shim.cgroup_pids(self.cgroup)
        return {pid for pid in pids if (stat := _shim.read_stat(pid)) and not stat.zombie}


def machine_resources() -> Resources:
    """The CPUs this process may use and the machine's physical memory; no GPUs."""
    memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return Resources(cpu=float(len(os.sched_getaffinity(0))), memory_bytes=memory)


def base_env() -> dict[str, str]:
    env = {name: os.environ[name] for name in BASE_ENV_VARS if name in os.environ}
    env.setdefault("PATH", DEFAULT_PATH)
    env["TMPDIR"] = os.environ.get("TMPDIR", "/tmp")
    # Logs are files, so output would be block-buffered: Python jobs show lines as they come.
    env["PYTHONUNBUFFERED"] = "1"
    return env


class LocalExecutor:
    """Runs attempts as local process trees; see the module docstring."""

    name = "local"

    def __init__(
        self,
        capacity: Resources | None = None,
        *,
        kill_grace: float = KILL_GRACE,
        cgroups: CgroupMode = "auto",
        cgroup_root: Path | None = None,
        env: Mapping[str, str] | None = None,
        python: str = sys.executable,
    ) -> None:
        """``capacity`` defaults to the machine; ``kill_grace`` is the SIGTERM-to-SIGKILL
        delay; ``cgroups`` says when an attempt gets a cgroup under ``cgroup_root`` (default:
        the server's own cgroup): ``auto`` when the kernel can enforce its memory limit there,
        ``always`` whenever that directory is writable, ``never``. ``env`` replaces
        :func:`base_env`."""
        if sys.platform != "linux":
            raise ExecutorError("the local executor needs Linux (/proc, subreapers, cgroups)")
        if cgroups not in ("auto", "always", "never"):
            raise ValueError(f"cgroups must be auto, always or never, not {cgroups!r}")
        self._capacity = capacity or machine_resources()
        self.kill_grace = kill_grace
        self.cgroups = cgroups
        self.cgroup_root = None if cgroups == "never" else _cgroup.find_root(cgroup_root)
        self._cgroup_memory = self.cgroup_root is not None and _cgroup.limits_memory(
            self.cgroup_root
        )
        self._env = dict(base_env() if env is None else env)
        self._python = python
        self._lock = threading.Lock()
        self._children: dict[int, subprocess.Popen[bytes]] = {}  # shims we must reap
        self._cpu: dict[str, tuple[float, float]] = {}  # handle -> (time, cpu seconds)

    def capacity(self) -> Resources:
        return self._capacity

    def launch(self, spec: LaunchSpec) -> str:
        if not spec.argv:
            raise ExecutorError("empty command")
        mark = secrets.token_hex(8)
        log = str(spec.log_path)
        spec.log_path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in (_shim.EXIT_SUFFIX, _shim.REASON_SUFFIX):  # left by an earlier launch
            Path(log + suffix).unlink(missing_ok=True)
        cgroup, mode = self._make_cgroup(mark, spec.resources.memory_bytes)
        env = {**self._env, **spec.env, _shim.MARK_VAR: mark}
        args = [log, str(self.kill_grace), str(spec.resources.memory_bytes), mode, cgroup]
        try:
            child = self._start(
                [self._python, "-I", "-S", SHIM, *args, "--", *spec.argv], spec, env
            )
        except BaseException:
            _cgroup.remove(cgroup)
            raise
        stat = _shim.read_stat(child.pid)
        if stat is None:  # cannot happen: an unreaped child keeps its /proc entry
            raise ExecutorError(f"shim {child.pid} vanished at launch")
        self._reap()
        with self._lock:
            self._children[child.pid] = child
        return _Handle(child.pid, stat.start, mark, cgroup, log).encode()

    def _make_cgroup(self, mark: str, memory_bytes: int) -> tuple[str, str]:
        """The attempt's cgroup ("" for none) and who enforces memory: kernel or monitor."""
        # Joining a cgroup costs the job 10-20 ms of start-up (the kernel's migration lock), so
        # ``auto`` pays it only where it buys a kernel-enforced memory limit.
        wanted = self.cgroups == "always" or (self._cgroup_memory and memory_bytes > 0)
        if self.cgroup_root is None or not wanted:
            return "", "monitor"
        try:
            path, kernel = _cgroup.create(self.cgroup_root, f"atrium-{mark}", memory_bytes)
        except OSError:  # e.g. the cgroup tree became read-only: carry on without one
            return "", "monitor"
        return str(path), "kernel" if kernel else "monitor"

    def _start(
        self, argv: list[str], spec: LaunchSpec, env: dict[str, str]
    ) -> subprocess.Popen[bytes]:
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC
        log_fd = os.open(spec.log_path, flags, 0o600)
        # The shim starts with its signals blocked (the mask survives exec), so a kill that
        # arrives before it is ready is queued, not fatal: no attempt ends without a status.
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _shim.HANDLED)
        try:
            return subprocess.Popen(
                argv,
                cwd=spec.workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log_fd,
                stderr=log_fd,
                start_new_session=True,
            )
        except OSError as error:
            raise ExecutorError(f"cannot start job {spec.job_id}: {error}") from error
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
            os.close(log_fd)

    def poll(self, handle: str) -> Observation:
        h = _Handle.decode(handle)
        self._reap()
        code = h.exit_code()
        if code is None and _shim.alive(h.pid, h.start):
            return Observation("running")
        code = h.exit_code() if code is None else code  # it may have just ended
        if code is not None:
            _cgroup.remove(h.cgroup)
            return Observation("exited", exit_code=code, reason=h.reason())
        if h.orphans():  # the shim was killed but the job lives on: still killable
            return Observation("running")
        _cgroup.remove(h.cgroup)
        return Observation("lost", reason=LOST)

    def _reap(self) -> None:
        """Wait for the shims this instance started that have exited: no zombies pile up."""
        with self._lock:
            ended = [pid for pid, child in self._children.items() if child.poll() is not None]
            for pid in ended:
                del self._children[pid]

    def read_log(self, handle: str, offset: int, limit: int = 1 << 20) -> bytes:
        return read_range(_Handle.decode(handle).log, offset, limit)

    def sample(self, handle: str) -> Sample | None:
        h = _Handle.decode(handle)
        if h.exit_code() is not None:
            with self._lock:
                self._cpu.pop(handle, None)
            return None
        shim = _shim.read_stat(h.pid)
        if shim is not None and shim.start == h.start and not shim.zombie:
            pids = _shim.descendants(h.pid) | _shim.cgroup_pids(h.cgroup)
        else:
            shim, pids = None, h.orphans()
        if not pids:
            return None
        cpu = self._cpu_seconds(h, pids, shim)
        return Sample(self._cpu_percent(handle, h, cpu), _shim.memory_of(pids, h.cgroup))

    @staticmethod
    def _cpu_seconds(h: _Handle, pids: set[int], shim: _shim.ProcStat | None) -> float:
        usage = _shim.cgroup_value(h.cgroup, "cpu.stat", "usage_usec")
        if usage is not None:
            return usage / 1e6
        ticks = sum(stat.cpu_ticks for pid in pids if (stat := _shim.read_stat(pid)))
        if shim is not None:  # children the shim reaped (orphans that ended) count too
            ticks += shim.cpu_ticks
        return ticks / _shim.CLOCK_TICKS

    def _cpu_percent(self, handle: str, h: _Handle, cpu: float) -> float:
        """Use since the previous sample of this handle, else the average since launch."""
        now = time.monotonic()
        with self._lock:
            previous = self._cpu.get(handle)
            self._cpu[handle] = (now, cpu)
        if previous is not None and now > previous[0]:
            return max(0.0, 100.0 * (cpu - previous[1]) / (now - previous[0]))
        elapsed = _uptime() - h.start / _shim.CLOCK_TICKS
        return 100.0 * cpu / elapsed if elapsed > 0 else 0.0

    def kill(self, handle: str) -> None:
        h = _Handle.decode(handle)
        if h.exit_code() is not None:
            return
        if _shim.alive(h.pid, h.start):
            # The shim does the SIGTERM, grace, SIGKILL sequence and records the exit.
            os.kill(h.pid, signal.SIGTERM)
            return
        # Shim gone: no one is left to record an exit or wait out a grace period.
        _shim.signal_all(h.orphans(), signal.SIGKILL)

    def close(self) -> None:
        with self._lock:
            self._children.clear()  # Popen objects of live shims are reaped by subprocess
            self._cpu.clear()


def _uptime() -> float:
    with open("/proc/uptime") as file:
        return float(file.read().split()[0])
