"""DVC as the comparison point of the datasets benchmark: its venv, and timed commands.

DVC is installed into a throwaway venv outside the repository (never a project dependency):
``python3 -m venv /tmp/dvc-venv && /tmp/dvc-venv/bin/pip install 'dvc==3.67.1'``, the version
measured in ``/work/shared/research/baselines.md`` section 2. It runs with
``DVC_NO_ANALYTICS=1`` and its defaults otherwise: cache link type ``reflink,copy`` (a copy on
ext4), one hashing thread on 2 cores (``checksum_jobs``), 8 transfer jobs.

``run_timed`` is shared with the Atrium side: every command runs in its own session (process
group), its wall time is measured around fork and exit, and its own CPU time (that of its
waited-for children included) comes from ``wait4``. Peak RSS is not reported: a child's
``ru_maxrss`` starts from the forking parent's resident size, so it would be this script's.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

DVC_VERSION = "3.67.1"
DEFAULT_VENV = Path("/tmp/dvc-venv")
GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]


@dataclass
class Ran:
    """One timed command: wall seconds, its CPU seconds, and what it printed."""

    wall: float
    user: float
    sys: float
    stdout: bytes
    stderr: bytes

    def sample(self) -> dict[str, float]:
        return {
            "wall": round(self.wall, 4),
            "user": round(self.user, 3),
            "sys": round(self.sys, 3),
        }


class CommandFailed(RuntimeError):
    pass


def run_timed(args: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 1800.0) -> Ran:
    """Run ``args`` to completion in a new session; raise CommandFailed on a non-zero exit."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        timer = threading.Timer(timeout, _kill_group, (proc.pid,))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            _kill_group(proc.pid)
            proc.wait()
            raise
        finally:
            timer.cancel()
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        _kill_group(proc.pid)  # anything it left running in its group
        out.seek(0)
        err.seek(0)
        ran = Ran(wall, usage.ru_utime, usage.ru_stime, out.read(), err.read())
    if proc.returncode != 0:
        shown = " ".join(args)
        tail = ran.stderr.decode(errors="replace")[-2000:] or ran.stdout.decode(errors="replace")
        raise CommandFailed(f"`{shown}` in {cwd} exited {proc.returncode}:\n{tail}")
    return ran


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def run(args: list[str], *, cwd: Path, env: dict[str, str]) -> None:
    """An untimed helper command (git plumbing, setup)."""
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, check=False)
    if done.returncode != 0:
        raise CommandFailed(
            f"`{' '.join(args)}` exited {done.returncode}: {done.stderr.decode(errors='replace')}"
        )


def ensure_venv(venv: Path, install: bool) -> Path:
    """The ``dvc`` executable of ``venv``, installing DVC there first if asked and missing."""
    dvc = venv / "bin" / "dvc"
    if not dvc.exists():
        if not install:
            sys.exit(
                f"no DVC at {dvc}: run `python3 -m venv {venv} && "
                f"{venv}/bin/pip install 'dvc=={DVC_VERSION}'` or pass --install-dvc"
            )
        print(f"installing dvc=={DVC_VERSION} into {venv} (outside the repository)", flush=True)
        subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "pip"), "install", "-q", f"dvc=={DVC_VERSION}"]
        subprocess.run(pip, check=True)
    return dvc


def version(dvc: Path, env: dict[str, str]) -> str:
    done = subprocess.run([str(dvc), "--version"], capture_output=True, env=env, check=True)
    return done.stdout.decode().strip()


def env_for(base: dict[str, str]) -> dict[str, str]:
    return {**base, "DVC_NO_ANALYTICS": "1", "GIT_TERMINAL_PROMPT": "0"}


class DvcRepo:
    """A fresh git + DVC repository for one repetition, and the timed DVC steps run in it."""

    def __init__(self, dvc: Path, root: Path, env: dict[str, str]) -> None:
        self.dvc = str(dvc)
        self.root = root
        self.env = env
        root.mkdir(parents=True)
        run(["git", "init", "-q"], cwd=root, env=env)
        run([self.dvc, "init", "-q"], cwd=root, env=env)
        run([*GIT, "commit", "-qm", "init"], cwd=root, env=env)

    def dvc_cmd(self, *args: str, cwd: Path | None = None) -> Ran:
        return run_timed([self.dvc, *args], cwd=cwd or self.root, env=self.env)

    def git_commit(self, message: str, *paths: str, cwd: Path | None = None) -> Ran:
        """``git add PATHS && git commit``, timed together (two processes)."""
        where = cwd or self.root
        added = run_timed([*GIT, "add", *paths], cwd=where, env=self.env)
        committed = run_timed([*GIT, "commit", "-qm", message], cwd=where, env=self.env)
        return Ran(
            added.wall + committed.wall,
            added.user + committed.user,
            added.sys + committed.sys,
            committed.stdout,
            committed.stderr,
        )

    def add_remote(self, remote: Path) -> None:
        remote.mkdir(parents=True)
        run(
            [self.dvc, "remote", "add", "-q", "-d", "local", str(remote)],
            cwd=self.root,
            env=self.env,
        )
        run([*GIT, "add", "-A", "."], cwd=self.root, env=self.env)
        run([*GIT, "commit", "-qm", "remote"], cwd=self.root, env=self.env)

    def clone(self, target: Path) -> Path:
        run(["git", "clone", "-q", str(self.root), str(target)], cwd=self.root.parent, env=self.env)
        return target
