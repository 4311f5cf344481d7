"""The MLflow API is built on its first request, not at start-up: it must still serve then.

The other tests here talk to a server that has long built it; these start from a fresh
interpreter, where nothing has imported the MLflow modules yet.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from atrium.server.app import create_app
from atrium.server.settings import Settings

FRESH_APP = """
import json, sys, warnings
warnings.simplefilter("ignore")
from fastapi.testclient import TestClient
from atrium.server.app import create_app
from atrium.server.settings import Settings
from atrium.server.store import migrate

settings = Settings(home=sys.argv[1], scheduler=False, admin_password="admin-pass-123")
settings.home.mkdir(parents=True, exist_ok=True)
migrate.upgrade(settings.resolved_database_url)
app = create_app(settings)
app.state.hub.bootstrap(settings.admin_password)
imported = lambda: sorted(m for m in sys.modules if m.startswith("atrium.server.api.mlflow."))
out = {"at_start": imported()}
with TestClient(app) as client:
    login = {"username": "admin", "password": "admin-pass-123"}
    token = client.post("/api/v1/auth/login", json=login).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    client.post("/api/v1/groups", json={"name": "ml"}).raise_for_status()
    created = client.post("/mlflow/ml/api/2.0/mlflow/experiments/create", json={"name": "e"})
    found = client.get("/mlflow/ml/api/2.0/mlflow/experiments/get-by-name?experiment_name=e")
    missing = client.get("/mlflow/ml/api/2.0/mlflow/no-such-endpoint")
out |= {
    "created": [created.status_code, created.json()],
    "found": [found.status_code, found.json()["experiment"]["name"]],
    "missing": [missing.status_code, missing.json()["error_code"]],
    "after": imported(),
}
print(json.dumps(out))
"""


def _fresh_app(home: Path) -> Any:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(FRESH_APP), str(home)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_first_mlflow_request_of_a_fresh_app_is_served(tmp_path: Path) -> None:
    out = _fresh_app(tmp_path / "home")
    # At start, only the error contract the package itself uses: no resource module.
    assert out["at_start"] == ["atrium.server.api.mlflow.errors"]
    assert out["created"][0] == 200 and out["created"][1]["experiment_id"]
    assert out["found"] == [200, "e"]
    assert out["missing"] == [404, "ENDPOINT_NOT_FOUND"]
    assert "atrium.server.api.mlflow.experiments" in out["after"]


def _operations(app: Any) -> set[tuple[str, str]]:
    spec = TestClient(app).get("/api/v1/openapi.json").json()
    return {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}


def _schema_routes(app: Any) -> set[tuple[str, str]]:
    out = set()
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute) and route.include_in_schema:
            out |= {(route.path_format, m) for m in route.methods if m != "HEAD"}
    return out


def test_openapi_lists_every_api_route_and_no_mlflow_one(tmp_path: Path) -> None:
    """Routers included lazily still reach the OpenAPI document, whole; MLflow's stay out."""
    settings = Settings(home=tmp_path / "home", scheduler=False)
    app = create_app(settings)
    operations = _operations(app)
    assert operations == _schema_routes(app)
    assert len(operations) >= 140
    assert not any(path.startswith("/mlflow") for path, _ in operations)
    TestClient(app).get("/mlflow/ml/api/2.0/mlflow/no-such-endpoint")  # builds MLflow's router
    assert _operations(create_app(settings)) == operations
