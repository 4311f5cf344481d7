"""Health, Prometheus metrics, request ids on every response, and the request body limit."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from atrium.server.settings import Settings
from atrium.server.version import VERSION
from tests.conftest import ADMIN_PASSWORD

LIMIT = 4096  # max_body_bytes of this module's app
MINTED = re.compile(r"^[0-9a-f]{32}$")
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """The shared settings, with a small body limit so 413s are cheap to provoke."""
    return Settings(
        home=tmp_path / "home",
        database_url=db_url,
        admin_password=ADMIN_PASSWORD,
        max_body_bytes=LIMIT,
    )


def _group_body(size: int) -> bytes:
    """A valid group-creation body of exactly ``size`` bytes."""
    empty = json.dumps({"name": "big", "description": ""}).encode()
    return json.dumps({"name": "big", "description": "x" * (size - len(empty))}).encode()


def _requests_total(client: TestClient) -> dict[tuple[str, str, str], float]:
    """(method, route, status) -> count, parsed from the Prometheus text."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    counts = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.name == "atrium_http_requests_total":
                labels = sample.labels
                counts[(labels["method"], labels["route"], labels["status"])] = sample.value
    return counts


def _one_request_id(response: object) -> str:
    values = response.headers.get_list("x-request-id")  # type: ignore[attr-defined]
    assert len(values) == 1, values
    return str(values[0])


# ---- health ----------------------------------------------------------------------------------


def test_health_needs_no_credentials(app: FastAPI, db_url: str) -> None:
    client = TestClient(app)
    expected = {
        "status": "ok",
        "version": VERSION,
        "database": "sqlite" if db_url.startswith("sqlite") else "postgresql",
    }
    assert client.get("/api/v1/health").json() == expected
    garbage = client.get("/api/v1/health", headers={"Authorization": "Bearer nonsense"})
    assert garbage.status_code == 200 and garbage.json() == expected


# ---- metrics ---------------------------------------------------------------------------------


@SQLITE_ONLY
def test_metrics_count_requests_by_route_template(admin: TestClient) -> None:
    for name in ("ml", "bio"):
        assert admin.post("/api/v1/groups", json={"name": name}).status_code == 201
    for _ in range(3):
        assert admin.get("/api/v1/health").status_code == 200
    for name in ("ml", "bio", "nope"):
        admin.get(f"/api/v1/groups/{name}")
    counts = _requests_total(admin)
    health = [n for (m, route, s), n in counts.items() if route.endswith("/health") and s == "200"]
    assert health == [3.0]
    by_group = {
        (s, n)
        for (m, route, s), n in counts.items()
        if m == "GET" and route.endswith("/groups/{group}")
    }
    assert by_group == {("200", 2.0), ("404", 1.0)}
    routes = {route for _, route, _ in counts}
    assert not any(raw in route for route in routes for raw in ("/ml", "/bio", "/nope"))


@SQLITE_ONLY
def test_metrics_expose_latency_per_route(admin: TestClient) -> None:
    admin.get("/api/v1/me")
    text = admin.get("/metrics").text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    latency = families["atrium_http_request_seconds"]
    assert latency.type == "histogram"
    counts = [
        s
        for s in latency.samples
        if s.name == "atrium_http_request_seconds_count" and s.labels["route"].endswith("/me")
    ]
    assert [s.value for s in counts] == [1.0]


@SQLITE_ONLY
def test_metrics_route_label_is_the_full_path_template(admin: TestClient) -> None:
    admin.get("/api/v1/groups/ml")
    admin.get("/api/v1/health")
    routes = {route for _, route, _ in _requests_total(admin)}
    assert {"/api/v1/groups/{group}", "/api/v1/health"} <= routes


def test_metrics_label_mlflow_routes_by_template(admin: TestClient) -> None:
    """The MLflow router is built on its first request; its routes keep template labels."""
    admin.get("/mlflow/ml/api/2.0/mlflow/experiments/get-by-name?experiment_name=x")
    admin.get("/mlflow/ml/api/2.0/mlflow/no-such-endpoint")
    routes = {route for _, route, _ in _requests_total(admin)}
    expected = {"/mlflow/{group}/api/2.0/mlflow/experiments/get-by-name", "/mlflow/{group}/{path}"}
    assert expected <= routes


# ---- request ids -----------------------------------------------------------------------------

CASES = {
    "200": ("GET", "/api/v1/health", None),
    "401": ("GET", "/api/v1/me", None),
    "404 api": ("POST", "/api/v1/invitations/preview", b'{"token": "nope"}'),
    "404 unknown path": ("GET", "/api/v1/no-such-endpoint", None),
    "405": ("PUT", "/api/v1/health", None),
    "422": ("POST", "/api/v1/auth/login", b'{"username": 1}'),
    "400 bad json": ("POST", "/api/v1/auth/login", b"{not json"),
    "413": ("POST", "/api/v1/auth/login", b"x" * (LIMIT + 1)),
}


def _case_params() -> Iterator[object]:
    for name in CASES:
        yield pytest.param(name, id=name)


@SQLITE_ONLY
@pytest.mark.parametrize("case", _case_params())
def test_every_response_carries_one_request_id(case: str, admin: TestClient) -> None:
    method, path, content = CASES[case]
    anon = TestClient(admin.app)
    headers = {"content-type": "application/json"}
    first = anon.request(method, path, content=content, headers=headers)
    second = anon.request(method, path, content=content, headers=headers)
    assert str(first.status_code) == case.split()[0]
    minted = {_one_request_id(first), _one_request_id(second)}
    assert len(minted) == 2 and all(MINTED.match(rid) for rid in minted)
    echoed = anon.request(
        method, path, content=content, headers={**headers, "X-Request-ID": "client-req_1.a"}
    )
    assert _one_request_id(echoed) == "client-req_1.a"


@SQLITE_ONLY
@pytest.mark.parametrize("given", [b"has space", b"x" * 65, "caf\u00e9".encode(), b"a;b", b""])
def test_insane_request_id_is_replaced(given: bytes, anon: TestClient) -> None:
    r = anon.get("/api/v1/health", headers={"X-Request-ID": given})  # type: ignore[dict-item]
    assert MINTED.match(_one_request_id(r))


@SQLITE_ONLY
def test_request_id_lands_in_the_audit_log(admin: TestClient) -> None:
    created = admin.post("/api/v1/groups", json={"name": "ml"}, headers={"X-Request-ID": "trace-7"})
    assert created.status_code == 201
    refused = admin.post("/api/v1/groups", json={"name": "ml"}, headers={"X-Request-ID": "trace-8"})
    assert refused.status_code == 409
    events = admin.get("/api/v1/audit", params={"group": "ml"}).json()["items"]
    create = [e for e in events if e["action"] == "group.create"]
    assert [(e["request_id"], e["outcome"]) for e in create] == [("trace-7", "success")]
    all_events = admin.get("/api/v1/audit", params={"action": "groups.create"}).json()["items"]
    assert [(e["request_id"], e["outcome"]) for e in all_events] == [("trace-8", "failure")]


# ---- body limit ------------------------------------------------------------------------------

TOO_LARGE = {
    "error": {
        "code": "payload_too_large",
        "message": f"request body over {LIMIT} bytes",
        "details": None,
    }
}


def _groups(admin: TestClient) -> list[str]:
    return [g["name"] for g in admin.get("/api/v1/groups").json()["items"]]


@SQLITE_ONLY
def test_body_at_the_limit_is_accepted(admin: TestClient) -> None:
    body = _group_body(LIMIT)
    assert len(body) == LIMIT
    r = admin.post("/api/v1/groups", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 201, r.text
    assert _groups(admin) == ["big"]


@SQLITE_ONLY
def test_body_over_the_limit_is_413_and_changes_nothing(admin: TestClient) -> None:
    r = admin.post(
        "/api/v1/groups",
        content=_group_body(LIMIT + 1),
        headers={"content-type": "application/json", "X-Request-ID": "big-1"},
    )
    assert r.status_code == 413
    assert r.json() == TOO_LARGE
    assert r.headers["x-request-id"].split(",")[0] == "big-1"
    assert _groups(admin) == []


@SQLITE_ONLY
def test_streamed_body_over_the_limit_is_413(admin: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        body = _group_body(LIMIT + 1)
        yield body[:1000]
        yield body[1000:]

    r = admin.post("/api/v1/groups", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in r.request.headers
    assert r.status_code == 413
    assert r.json() == TOO_LARGE
    assert _groups(admin) == []
