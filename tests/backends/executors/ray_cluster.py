"""A real two-node Ray cluster on loopback for the tests, started once per session.

``ray_nodes.py`` runs in its own process with a small environment that holds
``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` and a unique mark; it starts a head (1 CPU, dashboard
and Jobs API) and one worker node (1 CPU), both at 127.0.0.1, on ports picked free and with a
private temp directory. Every Ray process (and every job) descends from it and carries the
mark, so teardown ends exactly these processes: SIGTERM to the launcher (which stops its
nodes), then SIGKILL to anything still marked. A global ``ray stop`` would also stop other
people's clusters on this machine.

Under pytest-xdist the workers share one cluster (``shared_ray_cluster``): the first to need
it starts it, the last to finish stops it. ``--dist loadgroup`` would keep the Ray tests on
one worker, but with pytest 9.2 and pytest-xdist 3.8 it silently stops grouping
(pytest-dev/pytest-xdist#1386), and two clusters at once are too much for 2 cores.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

NODES = Path(__file__).with_name("ray_nodes.py")
MARK_VAR = "ATRIUM_TEST_RAY_CLUSTER"
START_TIMEOUT = 180.0
NODE_MEMORY = 2 << 30
# Ray 2.60 binds the machine's network address instead of loopback without the first one.
LOOPBACK_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}


@dataclass(frozen=True)
class RayCluster:
    dashboard_url: str
    gcs_address: str
    temp_dir: str
    launcher_pid: int
    mark: str
    startup_seconds: float


def free_ports(count: int) -> list[int]:
    """Ports free on 127.0.0.1 right now (held open together, so all distinct)."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def _node_args(ports: list[int], temp_dir: Path) -> dict[str, object]:
    """Parameters of both nodes: loopback, 1 CPU, and a free port for every listener."""
    return {
        "node_ip_address": "127.0.0.1",
        "num_cpus": 1,
        "num_gpus": 0,
        "memory": NODE_MEMORY,
        "object_store_memory": 100 << 20,
        "temp_dir": str(temp_dir),
        "node_manager_port": ports[0],
        "object_manager_port": ports[1],
        "metrics_export_port": ports[2],
        "dashboard_agent_listen_port": ports[3],
        "metrics_agent_port": ports[4],
        "runtime_env_agent_port": ports[5],
        "worker_port_list": ",".join(map(str, ports[6:])),
    }


def _config(temp_dir: Path) -> dict[str, dict[str, object]]:
    gcs, dashboard, *ports = free_ports(2 + 2 * 16)
    head = {
        **_node_args(ports[:16], temp_dir),
        "gcs_server_port": gcs,
        "include_dashboard": True,
        "dashboard_host": "127.0.0.1",
        "dashboard_port": dashboard,
    }
    return {"head": head, "worker": _node_args(ports[16:], temp_dir)}


def cluster_env(mark: str, temp_dir: Path) -> dict[str, str]:
    """A small environment for the cluster: its jobs inherit it, so the test's stays out.
    ``RAY_TMPDIR`` keeps Ray's "current cluster" file (what ``address="auto"`` finds) private
    instead of in the /tmp/ray that other users' Ray shares."""
    keep = ("PATH", "HOME", "LANG", "TMPDIR", "USER")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    (temp_dir / "ray").mkdir()
    return {**env, **LOOPBACK_ENV, MARK_VAR: mark, "RAY_TMPDIR": str(temp_dir)}


def _marked_pids(mark: str) -> list[int]:
    entry = f"{MARK_VAR}={mark}".encode()
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            with contextlib.suppress(OSError):
                if entry in Path(f"/proc/{name}/environ").read_bytes().split(b"\0"):
                    found.append(int(name))
    return found


def _gone(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our child
    try:
        state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
    except OSError:
        return True
    return state in (b"Z", b"X")


def stop_cluster(cluster: RayCluster) -> None:
    """SIGTERM to the launcher (it stops its nodes), then SIGKILL to whatever is left."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(cluster.launcher_pid, signal.SIGTERM)
    deadline = time.monotonic() + 60
    while not _gone(cluster.launcher_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in _marked_pids(cluster.mark):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    shutil.rmtree(cluster.temp_dir, ignore_errors=True)


def _wait_ready(launcher: subprocess.Popen[bytes], log: Path) -> dict[str, str]:
    assert launcher.stdout is not None
    line = launcher.stdout.readline()  # the launcher prints it once both nodes are alive
    if not line:
        launcher.wait()
        tail = log.read_bytes()[-4000:].decode(errors="replace")
        raise RuntimeError(f"Ray test cluster did not start ({launcher.returncode}):\n{tail}")
    return json.loads(line)  # type: ignore[no-any-return]


def start_cluster() -> RayCluster:
    """Head plus one worker node on 127.0.0.1, returned once both are alive."""
    started = time.monotonic()
    mark = secrets.token_hex(8)
    # Unix socket paths live below the temp dir and must stay under 108 bytes: keep it short.
    temp_dir = Path(tempfile.mkdtemp(prefix="atr-ray-", dir="/tmp"))
    log = temp_dir / "nodes.log"
    with open(log, "ab") as err:
        launcher = subprocess.Popen(
            [sys.executable, str(NODES), json.dumps(_config(temp_dir))],
            env=cluster_env(mark, temp_dir),
            stdout=subprocess.PIPE,
            stderr=err,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        ready = _wait_ready(launcher, log)
    except BaseException:
        stop_cluster(RayCluster("", "", str(temp_dir), launcher.pid, mark, 0.0))
        raise
    url = f"http://{ready['dashboard']}"
    elapsed = time.monotonic() - started
    return RayCluster(url, ready["gcs"], str(temp_dir), launcher.pid, mark, elapsed)


@contextlib.contextmanager
def ray_cluster() -> Iterator[RayCluster]:
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        stop_cluster(cluster)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        yield


@contextlib.contextmanager
def shared_ray_cluster(directory: Path) -> Iterator[RayCluster]:
    """One cluster for every process using ``directory``: started by the first to enter,
    stopped by the last to leave."""
    lock, state = directory / "ray-cluster.lock", directory / "ray-cluster.json"
    with _locked(lock):
        shared = json.loads(state.read_text()) if state.exists() else None
        if shared is None:
            shared = {"users": 0, "cluster": dataclasses.asdict(start_cluster())}
        shared["users"] += 1
        state.write_text(json.dumps(shared))
    try:
        yield RayCluster(**shared["cluster"])
    finally:
        with _locked(lock):
            shared = json.loads(state.read_text())
            shared["users"] -= 1
            if shared["users"]:
                state.write_text(json.dumps(shared))
            else:
                state.unlink()
                stop_cluster(RayCluster(**shared["cluster"]))
