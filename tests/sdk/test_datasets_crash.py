"""kill -9 in the middle of a push, of the client and of the server: real processes, real signals.

Either way no version may become visible, and running the push again uploads only the blobs
the server still lacks, then commits a version whose bytes verify.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from atrium import Client
from atrium.sdk.datasets.hashing import hash_bytes
from tests.conftest import _free_port

PASSWORD = "crash-admin-pass"
SMALL, LARGE = 1500, 24  # 4 KiB files in one pack; 2 MiB files in packs of 8, one at a time
PUSHER = """
import json, sys
from atrium import Client
from atrium.sdk.datasets import Progress

def report(p: Progress) -> None:
    print(json.dumps([p.phase, p.bytes_done, p.bytes_total]), flush=True)

client = Client(sys.argv[1], token=sys.argv[2])
client.datasets.push(sys.argv[3], "crash/data", message="m", workers=1, progress=report)
print("done", flush=True)
"""


@dataclass
class Server:
    home: Path
    port: int
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        atrium = Path(sys.executable).with_name("atrium")
        argv = [str(atrium), "up", "--home", str(self.home), "--host", "127.0.0.1"]
        env = {**os.environ, "ATRIUM_ADMIN_PASSWORD": PASSWORD}
        log = (self.home.parent / "server.log").open("ab")
        self.proc = subprocess.Popen([*argv, "--port", str(self.port)], env=env, stdout=log,
                                     stderr=subprocess.STDOUT)  # fmt: skip
        log.close()
        for _ in range(600):
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None:
                break
            threading.Event().wait(0.05)
        raise RuntimeError((self.home.parent / "server.log").read_text()[-2000:])

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    (tmp_path / "home").mkdir()
    running = Server(tmp_path / "home", _free_port())
    running.start()
    yield running
    running.stop()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    (root / "small").mkdir(parents=True)
    for i in range(SMALL):
        (root / "small" / f"{i:04}").write_bytes(os.urandom(4096))
    for i in range(LARGE):
        (root / f"large{i:02}.bin").write_bytes(os.urandom(2 * 1024 * 1024))
    return root


def admin(server: Server) -> Client:
    client = Client(server.url)
    client.auth.login("admin", PASSWORD)
    return client


def setup_dataset(server: Server) -> str:
    client = admin(server)
    client.groups.create("crash")
    client.datasets.create("crash/data")
    return client.tokens.create("crash").token


def blob_keys(root: Path) -> list[str]:
    files = (p for p in sorted(root.rglob("*")) if p.is_file() and ".atrium" not in p.parts)
    return [hash_bytes(p.read_bytes()) for p in files]


def still_missing(server: Server, token: str, keys: list[str]) -> set[str]:
    r = httpx.post(f"{server.url}/api/v1/groups/crash/datasets/data/blobs/missing",
                   json={"hashes": keys}, headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    r.raise_for_status()
    return set(r.json()["missing"])


def start_pusher(server: Server, token: str, root: Path, cache: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "ATRIUM_CACHE_DIR": str(cache)}
    argv = [sys.executable, "-c", PUSHER, server.url, token, str(root)]
    return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, text=True)


def wait_mid_upload(pusher: subprocess.Popen[str]) -> None:
    """Return once the pusher reports some, not all, upload bytes done."""
    assert pusher.stdout is not None
    for line in pusher.stdout:
        assert line != "done\n", "the push finished before it could be interrupted"
        phase, done, total = json.loads(line)
        if phase == "upload" and 0 < done < total / 2:
            return
    raise AssertionError(f"the pusher exited early ({pusher.wait()})")


def finish_and_check(server: Server, token: str, root: Path, tmp_path: Path) -> None:
    """No version is visible; pushing again sends only what is missing; the version verifies."""
    client = Client(server.url, token=token)
    assert list(client.datasets.iter_versions("crash/data")) == []
    keys = blob_keys(root)
    lacking = still_missing(server, token, keys)
    assert 0 < len(lacking) < len(keys)
    result = client.datasets.push(root, "crash/data", message="again")
    assert (result.version.name, result.uploaded_blobs) == ("v1", len(lacking))
    assert client.datasets.verify("crash/data@v1").damaged == []
    client.datasets.pull("crash/data@v1", tmp_path / "pulled")
    pulled = tmp_path / "pulled"
    assert blob_keys(pulled) == keys


def test_kill_9_of_the_client_mid_push(server: Server, data: Path, tmp_path: Path) -> None:
    token = setup_dataset(server)
    pusher = start_pusher(server, token, data, tmp_path / "cache")
    wait_mid_upload(pusher)
    pusher.send_signal(signal.SIGKILL)
    pusher.wait()
    finish_and_check(server, token, data, tmp_path)


def test_kill_9_of_the_server_mid_push(server: Server, data: Path, tmp_path: Path) -> None:
    token = setup_dataset(server)
    pusher = start_pusher(server, token, data, tmp_path / "cache")
    wait_mid_upload(pusher)
    server.kill()
    assert pusher.wait(timeout=120) != 0  # the push failed: it lost its server
    server.start()
    finish_and_check(server, token, data, tmp_path)
