"""Shared fixtures: databases on both dialects, apps, clients, a live server.

``db_url`` is parametrised over SQLite and PostgreSQL: every test that uses it (or the app and
client fixtures built on it) runs on both. Each test gets a fresh, migrated database copied from
a template migrated once per session.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from atrium.server.app import create_app
from atrium.server.domain.clock import Clock
from atrium.server.services import security
from atrium.server.settings import Settings
from atrium.server.store import migrate
from atrium.server.store.db import Database
from tests import pg
from tests.backends.executors.ray_cluster import LOOPBACK_ENV, ray_cluster, shared_ray_cluster

ADMIN_PASSWORD = "admin-pass-123"
# argon2id at its lowest cost: a test hub hashes ~10 passwords before its first assertion, each
# ~0.1 s at the production cost on this VM. Tests marked real_argon2 keep the real parameters.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("real_argon2") is None:
        monkeypatch.setattr(security, "_hasher", CHEAP_HASHER)


_counter = itertools.count()


class FakeClock(Clock):
    """The edge of the world: tests move time instead of sleeping."""

    def __init__(self) -> None:
        self.current = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **kwargs: float) -> None:
        self.current += timedelta(**kwargs)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    with pg.server_url() as url:
        yield url


@pytest.fixture(scope="session")
def pg_template(pg_server: str) -> str:
    name = f"atrium_template_{os.getpid()}"
    url = pg.create_database(pg_server, name)
    migrate.upgrade(url)
    return name


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "atrium.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh migrated database, once per dialect."""
    if request.param == "sqlite":
        path = tmp_path / "atrium.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server = request.getfixturevalue("pg_server")
    template = request.getfixturevalue("pg_template")
    name = f"atrium_t{os.getpid()}_{next(_counter)}"
    url = pg.create_database(server, name, template=template)
    yield url
    pg.drop_database(server, name)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(home=tmp_path / "home", database_url=db_url, admin_password=ADMIN_PASSWORD)


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    db = Database(settings.resolved_database_url, pool_size=5)
    yield db
    db.dispose()


@pytest.fixture
def app(settings: Settings, database: Database, clock: FakeClock) -> FastAPI:
    application = create_app(settings, db=database, clock=clock)
    application.state.hub.bootstrap(settings.admin_password)
    return application


@pytest.fixture
def hub(app: FastAPI):  # type: ignore[no-untyped-def]
    return app.state.hub


@pytest.fixture
def anon(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def login(app: FastAPI, username: str, password: str) -> TestClient:
    """A TestClient that sends the user's bearer token (no cookies)."""
    client = TestClient(app)
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    client.cookies.clear()
    client.headers["Authorization"] = f"Bearer {response.json()['token']}"
    return client


@pytest.fixture
def admin(app: FastAPI) -> TestClient:
    return login(app, "admin", ADMIN_PASSWORD)


@dataclass
class World:
    """A hub with two groups: ``ml`` (alice admin, bob member) and ``bio`` (carol admin)."""

    admin: TestClient
    alice: TestClient
    bob: TestClient
    carol: TestClient
    dave: TestClient  # signed in, member of nothing


@pytest.fixture
def world(app: FastAPI, admin: TestClient) -> World:
    for name in ("alice", "bob", "carol", "dave"):
        r = admin.post("/api/v1/users", json={"username": name, "password": f"{name}-pass-123"})
        assert r.status_code == 201, r.text
    for group, members in {
        "ml": [("alice", "admin"), ("bob", "member")],
        "bio": [("carol", "admin")],
    }.items():
        assert admin.post("/api/v1/groups", json={"name": group}).status_code == 201
        for username, role in members:
            r = admin.post(
                f"/api/v1/groups/{group}/members", json={"username": username, "role": role}
            )
            assert r.status_code == 201, r.text
    clients = {n: login(app, n, f"{n}-pass-123") for n in ("alice", "bob", "carol", "dave")}
    return World(admin=admin, **clients)


# ---- a real server over HTTP, for the SDK, CLI, browser and benchmarks --------------------


@dataclass
class LiveServer:
    url: str
    admin_password: str
    home: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(home: Path, database_url: str | None = None) -> Iterator[str]:
    """Run Atrium on a free loopback port in a thread (migrated, admin bootstrapped); yield
    its URL once healthy, stop it after."""
    settings = Settings(
        home=home, database_url=database_url, admin_password=ADMIN_PASSWORD, port=_free_port()
    )
    migrate.upgrade(settings.resolved_database_url)
    application = create_app(settings)
    application.state.hub.bootstrap(settings.admin_password)
    config = uvicorn.Config(application, host="127.0.0.1", port=settings.port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{settings.port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/v1/health").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.05)
    yield url
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    home = tmp_path_factory.mktemp("live-home")
    for url in serve(home):
        yield LiveServer(url=url, admin_password=ADMIN_PASSWORD, home=home)


@pytest.fixture(scope="session")
def admin_client(live_server: LiveServer):  # type: ignore[no-untyped-def]
    from atrium import Client

    client = Client(live_server.url)
    client.auth.login("admin", live_server.admin_password)
    return client


# ---- a real two-node Ray cluster on loopback (executor and jobs-on-Ray tests) ----------------


@pytest.fixture(scope="session")
def ray_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Dashboard URL of the session's Ray cluster (shared by all xdist workers of the run);
    clients here run with the loopback environment."""
    saved = {name: os.environ.get(name) for name in LOOPBACK_ENV}
    os.environ.update(LOOPBACK_ENV)
    if "PYTEST_XDIST_WORKER" not in os.environ:  # not under xdist
        cluster = ray_cluster()
    else:  # the parent of each worker's base temp dir is common to the run
        cluster = shared_ray_cluster(tmp_path_factory.getbasetemp().parent)
    with cluster as running:
        print(f"\nRay test cluster up in {running.startup_seconds:.1f} s")
        yield running.dashboard_url
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
