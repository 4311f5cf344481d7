"""Property-based conformance: every operation of the OpenAPI document, driven by schemathesis.

The schema is read from an app that is never given a database (only its OpenAPI document is
used); each operation then runs against a fresh, migrated hub (SQLite) as the platform admin,
with an API token, so a generated call to a password reset does not sign the rest of the run
out. Random path parameters mostly name nothing, so about half of the examples (hypothesis
decides, and shrinks the choice) aim at resources that exist: group ``ml``, user ``bob``,
instance type ``cpu-1``, the admin's token, an open invitation, and dataset ``ml/scans`` with
its version, blob, tag and grant. Checks: no 5xx, documented status codes and content types,
responses that match their schema.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from blake3 import blake3
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from atrium.server.app import create_app
from atrium.server.services.blobs import PACK_MEDIA_TYPE
from atrium.server.settings import Settings

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _schema_app() -> FastAPI:
    home = Path(tempfile.gettempdir()) / "atrium-schemathesis-collection"
    return create_app(
        # No background workers: the database is never opened, and threads that import while
        # pytest rewrites test modules trip CPython 3.11's shared AST recursion counter.
        Settings(home=home, database_url=f"sqlite:///{home}/never-opened.db", scheduler=False)
    )


schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", _schema_app())
# Blob packs are bytes on the wire: send whatever binary body was generated, unchanged.
schemathesis.serializer.alias(PACK_MEDIA_TYPE, "application/octet-stream")

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@dataclass
class Hub:
    headers: dict[str, str]  # the platform admin's API token
    existing: dict[str, str]  # path parameter -> a resource that exists
    in_dataset: dict[str, str]  # the same, for paths under /datasets/{name}

    def known(self, case: schemathesis.Case) -> dict[str, str]:
        values = self.existing
        if "/datasets/{name}" in case.operation.path:
            values = {**values, **self.in_dataset}
        return {k: values[k] for k in case.path_parameters or {} if k in values}


def _created(response: Any) -> Any:
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def hub_state(admin: TestClient) -> Hub:
    token = _created(admin.post("/api/v1/tokens", json={"name": "schemathesis"}))
    _created(admin.post("/api/v1/users", json={"username": "bob", "password": "bob-pass-123"}))
    _created(admin.post("/api/v1/groups", json={"name": "ml"}))
    _created(admin.post("/api/v1/groups/ml/members", json={"username": "bob"}))
    invitation = _created(admin.post("/api/v1/invitations", json={"group": "ml"}))
    existing = {
        "group": "ml",
        "username": "bob",
        "name": "cpu-1",
        "token_id": token["id"],
        "invitation_id": invitation["id"],
    }
    return Hub({"Authorization": f"Bearer {token['token']}"}, existing, _dataset(admin))


def _dataset(admin: TestClient) -> dict[str, str]:
    """ml/scans: v1 holds a.txt, tagged golden, shared read-only with group bio."""
    data, base = b"alpha", "/api/v1/groups/ml/datasets"
    blob = blake3(data).hexdigest()
    _created(admin.post("/api/v1/groups", json={"name": "bio"}))
    _created(admin.post(base, json={"name": "scans"}))
    _created(admin.put(f"{base}/scans/blobs/{blob}", content=data))
    files = [{"path": "a.txt", "size": len(data), "hash": blob}]
    _created(admin.post(f"{base}/scans/versions", json={"files": files}))
    assert admin.put(f"{base}/scans/tags/golden", json={"version": "v1"}).status_code == 200
    assert admin.put(f"{base}/scans/grants/bio", json={"access": "read"}).status_code == 200
    return {"name": "scans", "ref": "v1", "key": blob, "tag": "golden", "grantee": "bio"}


@SQLITE_ONLY
@schema.parametrize()
@schema.given(aim_at_existing=st.booleans())
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_operation_conforms(
    case: schemathesis.Case, aim_at_existing: bool, app: FastAPI, hub_state: Hub
) -> None:
    if aim_at_existing and case.path_parameters:
        case.path_parameters = {**case.path_parameters, **hub_state.known(case)}
    case.call_and_validate(app=app, headers=hub_state.headers, checks=CHECKS)


@SQLITE_ONLY
@pytest.mark.parametrize("flag", ["enabled", "is_admin"])
def test_null_user_flag_is_refused(flag: str, admin: TestClient) -> None:
    created = admin.post("/api/v1/users", json={"username": "erin", "password": "erin-pass-1"})
    assert created.status_code == 201
    r = admin.patch("/api/v1/users/erin", json={flag: None})
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    assert admin.get("/api/v1/users/erin").json() == created.json()


@SQLITE_ONLY
def test_blob_upload_documents_both_success_codes(admin: TestClient) -> None:
    paths = admin.get("/api/v1/openapi.json").json()["paths"]
    put = paths["/api/v1/groups/{group}/datasets/{name}/blobs/{key}"]["put"]
    assert {"200", "201"} <= set(put["responses"])


@SQLITE_ONLY
def test_document_covers_the_api(admin: TestClient) -> None:
    """The document lists every API route with the error envelope, and hides the dashboard."""
    document = admin.get("/api/v1/openapi.json").json()
    paths = document["paths"]
    assert "/metrics" not in paths and not any("{path" in p for p in paths)
    assert all(p.startswith("/api/v1/") for p in paths)
    operations = [(p, m, op) for p, item in paths.items() for m, op in item.items()]
    assert len(operations) >= 40
    for path, method, operation in operations:
        assert {"401", "404", "422"} <= set(operation["responses"]), (method, path)
        ref = operation["responses"]["404"]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/ErrorEnvelope"), (method, path)
