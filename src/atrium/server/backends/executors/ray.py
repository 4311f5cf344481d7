"""The Ray executor: each attempt is a Ray job, submitted through the Ray Jobs API.

The entrypoint is ``cd WORKDIR && exec ARGV`` (shell-quoted): the Ray node that runs it must
see the same filesystem as the server (true of a local cluster; on a real cluster, mount the
work directories on every node). The instance type's resources become the entrypoint's
``num_cpus``, ``num_gpus`` and ``memory``; the job's variables travel in the runtime
environment. Ray's job log is copied into ``spec.log_path`` as it grows, so logs outlive the
Ray job (and the cluster); once the job has ended, ``<log>.ray-exit`` records the outcome and
the copy is final. ``ray`` is imported on first use only (``pip install atrium[ray]``).
What Ray does and does not enforce is in docs/executors.md.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import re
import secrets
import shlex
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from atrium.server.backends.executors._common import decode_handle, encode_handle, read_range
from atrium.server.backends.executors.base import (
    ExecutorError,
    LaunchSpec,
    Observation,
    Resources,
    Sample,
)

if TYPE_CHECKING:
    from ray.dashboard.modules.job.pydantic_models import JobDetails
    from ray.job_submission import JobSubmissionClient

_HANDLE_TAG = "ray/1"
ENV_VAR = "ATRIUM_JOB_ENV"
EXIT_SUFFIX = ".ray-exit"
LOG_SYNC_INTERVAL = 1.0
CAPACITY_TTL = 10.0
REASON_LIMIT = 300
#: Ray stops a job with SIGTERM to its process group (SIGKILL after a few seconds).
STOPPED_EXIT_CODE = -15
UNDECODABLE_NOTE = (
    b"\n[atrium: Ray cannot return the rest of this job's output: it is not valid UTF-8, "
    b"and Ray's log API decodes logs as text]\n"
)
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_-]+")
_EXIT_CODE = re.compile(r"exit code (-?\d+)")
T = TypeVar("T")


@dataclass(frozen=True)
class _Handle:
    submission_id: str
    log: str

    def encode(self) -> str:
        return encode_handle(_HANDLE_TAG, self.submission_id, self.log)

    @classmethod
    def decode(cls, handle: str) -> _Handle:
        submission_id, log = decode_handle(handle, _HANDLE_TAG, 2)
        return cls(str(submission_id), str(log))

    @property
    def exit_path(self) -> Path:
        return Path(self.log + EXIT_SUFFIX)

    def recorded(self) -> Observation | None:
        """The final observation, once the job's end (and its whole log) has been copied."""
        try:
            data = json.loads(self.exit_path.read_text())
        except (OSError, ValueError):
            return None
        return Observation("exited", exit_code=data["exit_code"], reason=data["reason"])

    def record(self, observation: Observation) -> None:
        data = {"exit_code": observation.exit_code, "reason": observation.reason}
        tmp = self.exit_path.with_name(self.exit_path.name + ".tmp")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, self.exit_path)


def encode_env(env: Mapping[str, str]) -> str:
    """The job's variables as base64 of shell ``export`` lines (see :func:`entrypoint`)."""
    for name in env:
        if not _ENV_NAME.fullmatch(name):
            raise ExecutorError(f"not an environment variable name: {name!r}")
    lines = "".join(f"export {name}={shlex.quote(value)}\n" for name, value in env.items())
    return base64.b64encode(lines.encode()).decode()


def entrypoint(spec: LaunchSpec) -> str:
    """The shell line Ray runs: set the job's variables, enter its directory, run it.

    Ray expands ``$NAME`` in runtime-env variables (``os.path.expandvars``), which would
    corrupt a password containing ``$``, and it writes the entrypoint into the job's log,
    where secrets must not go. So the variables travel base64-encoded in one runtime-env
    variable, and the shell decodes them.
    """
    decode = f'eval "$(printf %s "${ENV_VAR}" | base64 -d)" && unset {ENV_VAR}'
    return f"{decode} && cd {shlex.quote(str(spec.workdir))} && exec {shlex.join(spec.argv)}"


def observe(info: JobDetails) -> Observation:
    """Ray's view of a job as an :class:`Observation`."""
    status = str(info.status.value)
    if status == "PENDING":
        return Observation("starting")
    if status == "RUNNING":
        return Observation("running")
    why = _reason(info.message)
    if status == "SUCCEEDED":
        return Observation("exited", exit_code=0)
    if status == "STOPPED":
        code = info.driver_exit_code
        return Observation(
            "exited", exit_code=STOPPED_EXIT_CODE if code is None else code, reason=why
        )
    if info.driver_exit_code is not None:  # the command itself failed: its code says why
        return Observation("exited", exit_code=info.driver_exit_code)
    found = _EXIT_CODE.search(info.message or "")
    return Observation("exited", exit_code=int(found.group(1)) if found else 1, reason=why)


def _reason(message: str | None) -> str | None:
    """One line of Ray's message: the first, or for a traceback the exception (the last)."""
    lines = [line.strip() for line in (message or "").strip().splitlines() if line.strip()]
    if not lines:
        return None
    line = lines[-1] if lines[0].startswith("Traceback") else lines[0]
    return f"ray: {line[:REASON_LIMIT]}"


class RayExecutor:
    """Runs attempts as Ray jobs on the cluster whose dashboard is at ``address``."""

    name = "ray"

    def __init__(
        self,
        address: str,
        *,
        capacity: Resources | None = None,
        log_sync_interval: float = LOG_SYNC_INTERVAL,
    ) -> None:
        """``address`` is the dashboard's URL (``http://127.0.0.1:8265``); ``capacity``
        overrides the cluster's total resources; Ray's log is fetched whole, so it is copied
        at most every ``log_sync_interval`` seconds while a job runs."""
        self.address = address
        self.log_sync_interval = log_sync_interval
        self._fixed_capacity = capacity
        self._capacity: tuple[float, Resources] | None = None
        self._client: JobSubmissionClient | None = None
        self._lock = threading.Lock()
        self._synced: dict[str, float] = {}  # submission id -> when its log was last copied

    def _jobs(self) -> JobSubmissionClient:
        # Connecting checks the cluster's version: done on first use, so that a server
        # starts (and queues jobs) while its Ray cluster is down.
        with self._lock:
            if self._client is None:
                from ray.job_submission import JobSubmissionClient

                self._client = self._call(JobSubmissionClient, self.address)
            return self._client

    def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return fn(*args, **kwargs)
        except Exception as error:  # requests' and Ray's errors: the cluster's side
            raise ExecutorError(f"Ray at {self.address}: {error}") from error

    def capacity(self) -> Resources:
        if self._fixed_capacity is not None:
            return self._fixed_capacity
        cached = self._capacity
        if cached is not None and time.monotonic() - cached[0] < CAPACITY_TTL:
            return cached[1]
        from ray.util.state import list_nodes

        nodes = self._call(list_nodes, self.address, filters=[("state", "=", "ALIVE")])
        totals: dict[str, float] = {}
        for node in nodes:
            for name, amount in (node.resources_total or {}).items():
                totals[name] = totals.get(name, 0.0) + amount
        total = Resources(
            cpu=totals.get("CPU", 0.0),
            memory_bytes=int(totals.get("memory", 0.0)),
            gpu=int(totals.get("GPU", 0.0)),
        )
        self._capacity = (time.monotonic(), total)
        return total

    def launch(self, spec: LaunchSpec) -> str:
        if not spec.argv:
            raise ExecutorError("empty command")
        env = {"PYTHONUNBUFFERED": "1", **spec.env}  # live logs from Python jobs
        spec.log_path.parent.mkdir(parents=True, exist_ok=True)
        Path(str(spec.log_path) + EXIT_SUFFIX).unlink(missing_ok=True)
        job = _UNSAFE_ID.sub("_", spec.job_id)[:64]
        submission_id = f"atrium-{job}-{spec.attempt}-{secrets.token_hex(4)}"
        resources = spec.resources
        self._call(
            self._jobs().submit_job,
            entrypoint=entrypoint(spec),
            submission_id=submission_id,
            runtime_env={"env_vars": {ENV_VAR: encode_env(env)}},
            metadata={
                "atrium_job": spec.job_id,
                "atrium_attempt": str(spec.attempt),
                **spec.labels,
            },
            entrypoint_num_cpus=resources.cpu or None,
            entrypoint_num_gpus=resources.gpu or None,
            entrypoint_memory=resources.memory_bytes or None,
        )
        spec.log_path.touch()
        return _Handle(submission_id, str(spec.log_path)).encode()

    def _info(self, h: _Handle) -> JobDetails | None:
        """Ray's record of the job; None when Ray does not know it (any more)."""
        try:
            return self._jobs().get_job_info(h.submission_id)
        except RuntimeError as error:
            if "404" in str(error) or "does not exist" in str(error):
                return None
            raise ExecutorError(f"Ray at {self.address}: {error}") from error
        except Exception as error:
            raise ExecutorError(f"Ray at {self.address}: {error}") from error

    def poll(self, handle: str) -> Observation:
        h = _Handle.decode(handle)
        recorded = h.recorded()
        if recorded is not None:
            return recorded
        info = self._info(h)
        if info is None:
            return Observation("lost", reason=f"lost: Ray does not know job {h.submission_id}")
        observation = observe(info)
        if observation.state == "exited":
            try:
                self._sync_log(h, final=True)
            except ExecutorError:  # the end is known; the last copy waits for the next poll
                return observation
            h.record(observation)
            self._synced.pop(h.submission_id, None)
        return observation

    def _sync_log(self, h: _Handle, *, final: bool = False) -> None:
        """Append what Ray's log has beyond our copy (at most every ``log_sync_interval``)."""
        now = time.monotonic()
        if not final and now - self._synced.get(h.submission_id, 0.0) < self.log_sync_interval:
            return
        self._synced[h.submission_id] = now
        try:
            data = self._jobs().get_job_logs(h.submission_id).encode()
        except RuntimeError as error:
            if "UnicodeDecodeError" not in str(error):
                raise ExecutorError(f"Ray at {self.address}: {error}") from error
            if not final:
                return
            data = None
        except Exception as error:
            raise ExecutorError(f"Ray at {self.address}: {error}") from error
        with open(h.log, "ab") as log:
            # Another thread or server replica may be copying the same log.
            fcntl.flock(log, fcntl.LOCK_EX)
            have = os.fstat(log.fileno()).st_size
            log.write(UNDECODABLE_NOTE if data is None else data[have:])

    def read_log(self, handle: str, offset: int, limit: int = 1 << 20) -> bytes:
        h = _Handle.decode(handle)
        if not h.exit_path.exists():
            with contextlib.suppress(ExecutorError):  # Ray unreachable: serve our copy
                self._sync_log(h)
        return read_range(h.log, offset, limit)

    def sample(self, handle: str) -> Sample | None:
        """Always None: the Jobs API reports no resource use of an entrypoint's processes."""
        _Handle.decode(handle)
        return None

    def kill(self, handle: str) -> None:
        h = _Handle.decode(handle)
        if h.exit_path.exists():
            return
        try:
            self._jobs().stop_job(h.submission_id)
        except RuntimeError as error:
            if "404" not in str(error) and "does not exist" not in str(error):
                raise ExecutorError(f"Ray at {self.address}: {error}") from error

    def close(self) -> None:
        with self._lock:
            self._client = None
        self._synced.clear()
