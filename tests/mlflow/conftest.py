"""A live Atrium server per dialect, users and tokens, and a runner of mlflow client scripts.

Each script runs in its own interpreter: MLflow keeps global state (the active run, the
tracking URI, caches of artifact repositories) that must not leak from one test to the next.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests import pg
from tests.conftest import ADMIN_PASSWORD, serve

GROUP = "ml"


@dataclass
class Server:
    url: str
    tokens: dict[str, str]  # alice: member of ml; dave: member of nothing

    def api(self, user: str = "alice") -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        return httpx.Client(base_url=f"{self.url}/api/v1", headers=headers, timeout=30)

    @property
    def tracking_uri(self) -> str:
        return f"{self.url}/mlflow/{GROUP}"

    def script(self, code: str, token: str | None = None, timeout: float = 240) -> Any:
        """Run ``code`` with the mlflow client pointed at group ml; return what it printed
        as JSON on its last line."""
        env = {
            **os.environ,
            "MLFLOW_TRACKING_URI": self.tracking_uri,
            "MLFLOW_TRACKING_TOKEN": token or self.tokens["alice"],
            "MLFLOW_DISABLE_TELEMETRY": "true",
            "DO_NOT_TRACK": "true",
            "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
            "GIT_PYTHON_REFRESH": "quiet",
            "PYTHONWARNINGS": "ignore",
        }
        with tempfile.TemporaryDirectory(prefix="mlflow-script-") as cwd:
            done = subprocess.run(
                [sys.executable, "-c", textwrap.dedent(code)],
                env=env,
                cwd=cwd,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        assert done.returncode == 0, f"script failed:\n{done.stdout}\n{done.stderr}"
        lines = done.stdout.strip().splitlines()
        return json.loads(lines[-1]) if lines else None


def _populate(url: str) -> dict[str, str]:
    admin = httpx.Client(base_url=f"{url}/api/v1", timeout=30)
    login = {"username": "admin", "password": ADMIN_PASSWORD}
    admin.headers["Authorization"] = (
        f"Bearer {admin.post('/auth/login', json=login).json()['token']}"
    )
    admin.post("/groups", json={"name": GROUP}).raise_for_status()
    tokens = {}
    for name in ("alice", "dave"):
        password = f"{name}-pass-123"
        admin.post("/users", json={"username": name, "password": password}).raise_for_status()
        if name == "alice":
            member = {"username": name, "role": "member"}
            admin.post(f"/groups/{GROUP}/members", json=member).raise_for_status()
        user = httpx.Client(base_url=f"{url}/api/v1", timeout=30)
        session = user.post("/auth/login", json={"username": name, "password": password}).json()
        headers = {"Authorization": f"Bearer {session['token']}"}
        made = user.post("/tokens", json={"name": "mlflow"}, headers=headers, cookies={})
        tokens[name] = made.json()["token"]
    return tokens


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    for url in serve(tmp_path_factory.mktemp("mlflow-sqlite")):
        yield Server(url, _populate(url))


@pytest.fixture(scope="module")
def pg_mlflow_server(
    tmp_path_factory: pytest.TempPathFactory, pg_server: str, pg_template: str
) -> Iterator[Server]:
    name = f"atrium_mlflow_{os.getpid()}"
    database_url = pg.create_database(pg_server, name, template=pg_template)
    home = tmp_path_factory.mktemp("mlflow-pg")
    for url in serve(home, database_url):
        yield Server(url, _populate(url))
    pg.drop_database(pg_server, name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest) -> Server:
    """The main flow runs on both dialects."""
    fixture = "sqlite_server" if request.param == "sqlite" else "pg_mlflow_server"
    return request.getfixturevalue(fixture)  # type: ignore[no-any-return]
