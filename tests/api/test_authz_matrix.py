"""The authorization matrix: every route of the app x five callers, on group ``ml``.

The routes come from the app's own route table, so a route added without an entry in EXPECTED
fails ``test_route_matrix[<METHOD> <name>]`` with a message naming it. Each entry lists the
status each caller gets, in the order of ROLES, and how to build the call: destructive calls
(delete a group, a user, a token, ...) get a fresh target per caller, and ``verify`` checks that
a refused call changed nothing and an allowed one took effect.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.routing import BaseRoute

from atrium.server.api.lazy import LazyRouter
from atrium.server.app import create_app
from atrium.server.settings import Settings
from tests.api.authz_datasets import DATASET_EXPECTED
from tests.api.authz_jobs import JOB_EXPECTED
from tests.api.authz_mlflow import MLFLOW_ERROR_CODE, MLFLOW_EXPECTED
from tests.api.authz_models import MODEL_EXPECTED
from tests.api.authz_notifications import NOTIFICATION_EXPECTED, NOTIFICATION_OWNER_ONLY
from tests.api.authz_schedules import SCHEDULE_EXPECTED
from tests.api.authz_secrets import SECRET_EXPECTED
from tests.api.authz_setups import (
    PASSWORD,
    ROLES,
    Env,
    Spec,
    accept_invitation,
    add_member,
    bob_token,
    body,
    create_group,
    create_type,
    create_user,
    delete_group,
    delete_type,
    delete_user,
    logout,
    own_password,
    preview_invitation,
    promote_member,
    query,
    remove_member,
    reset_password,
    revoke_bob_token,
    revoke_invitation,
    set_quota,
    spec,
)
from tests.api.authz_tracking import TRACKING_EXPECTED
from tests.conftest import World

ERROR_CODE = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 409: "conflict"}
DEFAULT_PARAMS = {"group": "ml", "username": "bob", "name": "cpu-1"}
# Another user's token or notification channel is a 404, even to admins.
OWNER_ONLY = {"tokens.get", "tokens.revoke"} | NOTIFICATION_OWNER_ONLY
# Catch-alls without authorization: the SPA's static files, and the MLflow API's answer to an
# endpoint it does not serve (the same ENDPOINT_NOT_FOUND for every caller and group).
SKIPPED_ROUTES = {"dashboard", "mlflow.unsupported"}
PUBLIC = {
    "system.health",
    "auth.login",
    "invitations.preview",
    "invitations.accept",
    "metrics",
    "openapi",
    "swagger_ui_html",
}

GROUP_IN_QUERY = {
    ("instance_types.list", "GET"),
    ("invitations.list", "GET"),
    ("audit.list", "GET"),
}
GROUP_IN_QUERY_OR_BODY = GROUP_IN_QUERY | {
    ("invitations.create", "POST"),
    ("invitations.revoke", "DELETE"),
}

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


# ---- the route table -------------------------------------------------------------------------


def route_table(app: FastAPI) -> dict[tuple[str, str], str]:
    """(route name, method) -> path template, for every route the app serves."""
    try:  # FastAPI >= 0.165 includes routers lazily; this walks the effective routes
        from fastapi.routing import iter_route_contexts

        routes: Any = list(iter_route_contexts(_unfolded(app.routes)))
    except ImportError:  # pragma: no cover - older FastAPI flattens routes on include
        routes = _unfolded(app.routes)
    table = {}
    for route in routes:
        if route.name in SKIPPED_ROUTES:
            continue
        methods = set(route.methods or ())
        if "GET" in methods:
            methods.discard("HEAD")  # Starlette adds HEAD to every GET route
        for method in methods:
            table[(route.name, method)] = route.path
    return table


def _unfolded(routes: list[BaseRoute]) -> list[BaseRoute]:
    """``routes`` with the lazily built routers (MLflow's) replaced by the routes they build."""
    return [inner for route in routes for inner in _built(route)]


def _built(route: BaseRoute) -> list[BaseRoute]:
    return route.routes if isinstance(route, LazyRouter) else [route]


def _app_for_collection() -> FastAPI:
    """An app used only to read its route table: its database is never opened."""
    home = Path(tempfile.gettempdir()) / "atrium-authz-collection"
    return create_app(
        # No background workers: the database is never opened, and threads that import while
        # pytest rewrites test modules trip CPython 3.11's shared AST recursion counter.
        Settings(home=home, database_url=f"sqlite:///{home}/never-opened.db", scheduler=False)
    )


ROUTES = route_table(_app_for_collection())


# ---- the table -------------------------------------------------------------------------------

ANYONE = "200 200 200 200 200"
SIGNED_IN = "401 200 200 200 200"
PLATFORM_ADMIN = "401 403 403 403 200"
MEMBER_READ = "401 404 200 200 200"
GROUP_ADMIN = "401 404 403 200 200"

EXPECTED: dict[tuple[str, str], Spec] = {
    ("system.health", "GET"): spec(ANYONE),
    ("metrics", "GET"): spec(ANYONE),
    ("openapi", "GET"): spec(ANYONE),
    ("swagger_ui_html", "GET"): spec(ANYONE),
    ("auth.login", "POST"): spec(ANYONE, body({"username": "bob", "password": PASSWORD["bob"]})),
    ("auth.logout", "POST"): spec("401 204 204 204 204", logout),
    ("me.get", "GET"): spec(SIGNED_IN),
    ("me.password", "POST"): spec("401 204 204 204 204", own_password),
    ("tokens.list", "GET"): spec(SIGNED_IN),
    ("tokens.create", "POST"): spec("401 201 201 201 201", body({"name": "ci"})),
    # Tokens are private to their owner (bob), even to platform admins.
    ("tokens.get", "GET"): spec("401 404 200 404 404", bob_token),
    ("tokens.revoke", "DELETE"): spec("401 404 204 404 404", revoke_bob_token),
    ("users.list", "GET"): spec(PLATFORM_ADMIN),
    ("users.create", "POST"): spec("401 403 403 403 201", create_user),
    ("users.get", "GET"): spec("401 403 200 403 200"),  # bob reads himself
    ("users.update", "PATCH"): spec(PLATFORM_ADMIN, body({"display_name": "Bob B."})),
    ("users.reset_password", "POST"): spec("401 403 403 403 204", reset_password),
    ("users.delete", "DELETE"): spec("401 403 403 403 204", delete_user),
    ("groups.list", "GET"): spec(SIGNED_IN),
    ("groups.create", "POST"): spec("401 403 403 403 201", create_group),
    ("groups.get", "GET"): spec(MEMBER_READ),
    ("groups.update", "PATCH"): spec(GROUP_ADMIN, body({"description": "machine learning"})),
    ("groups.delete", "DELETE"): spec("401 404 403 403 200", delete_group),
    ("members.list", "GET"): spec(MEMBER_READ),
    ("members.add", "POST"): spec("401 404 403 201 201", add_member),
    ("members.get", "GET"): spec(MEMBER_READ),
    ("members.update", "PATCH"): spec(GROUP_ADMIN, promote_member),
    ("members.remove", "DELETE"): spec("401 404 403 204 204", remove_member),
    ("quota.get", "GET"): spec(MEMBER_READ),
    ("quota.update", "PATCH"): spec(
        "401 404 403 403 200", set_quota("/api/v1/groups/ml/quota", 100)
    ),
    ("member_quota.get", "GET"): spec(MEMBER_READ),
    ("member_quota.update", "PATCH"): spec(
        GROUP_ADMIN, set_quota("/api/v1/groups/ml/members/bob/quota", 2)
    ),
    ("usage.get", "GET"): spec(MEMBER_READ),
    ("instance_types.list", "GET"): spec(MEMBER_READ, query(group="ml")),
    ("instance_types.create", "POST"): spec("401 403 403 403 201", create_type),
    ("instance_types.get", "GET"): spec(SIGNED_IN),  # cpu-1 is global
    ("instance_types.update", "PATCH"): spec(PLATFORM_ADMIN, body({"description": "small"})),
    ("instance_types.delete", "DELETE"): spec("401 403 403 403 204", delete_type),
    ("invitations.list", "GET"): spec(GROUP_ADMIN, query(group="ml")),
    ("invitations.create", "POST"): spec("401 404 403 201 201", body({"group": "ml"})),
    ("invitations.revoke", "DELETE"): spec("401 404 403 204 204", revoke_invitation),
    ("invitations.preview", "POST"): spec(ANYONE, preview_invitation),
    # Signing up anonymously, or joining: bob and alice are members already.
    ("invitations.accept", "POST"): spec("200 200 409 409 200", accept_invitation),
    ("audit.list", "GET"): spec(GROUP_ADMIN, query(group="ml")),
    ("usage_report.get", "GET"): spec(MEMBER_READ, query(group="ml")),
    **DATASET_EXPECTED,
    **JOB_EXPECTED,
    **NOTIFICATION_EXPECTED,
    **SCHEDULE_EXPECTED,
    **SECRET_EXPECTED,
    **TRACKING_EXPECTED,
    **MODEL_EXPECTED,
    **MLFLOW_EXPECTED,
}


# ---- the tests -------------------------------------------------------------------------------


def _path(key: tuple[str, str], params: dict[str, str]) -> str:
    try:  # {path:path} takes the value of "path"
        return re.sub(r"\{(\w+):\w+\}", r"{\1}", ROUTES[key]).format(**params)
    except KeyError as missing:
        pytest.fail(
            f"{key[1]} {ROUTES[key]} needs a value for path parameter {missing}: add it "
            "to DEFAULT_PARAMS or return it from the entry's setup"
        )


def _call(env: Env, key: tuple[str, str], role: str) -> Any:
    call = EXPECTED[key].setup(env, role)
    path = _path(key, {**DEFAULT_PARAMS, **call.params})
    client = call.client or env.client(role)
    response = client.request(
        key[1], path, json=call.json, content=call.content, headers=call.headers, params=call.query
    )
    client.cookies.clear()  # a login must not turn later calls of this client into cookie calls
    return response, call


def _check(response: Any, expected: int, where: str) -> None:
    assert response.status_code == expected, f"{where}: {response.status_code} {response.text}"
    if expected in ERROR_CODE and "error_code" in response.json():  # the MLflow API's shape
        assert response.json()["error_code"] == MLFLOW_ERROR_CODE[expected], where
    elif expected in ERROR_CODE:
        assert response.json()["error"]["code"] == ERROR_CODE[expected], where


# Server bugs this matrix found; each entry must go when the bug is fixed (strict xfail).
KNOWN_BUGS: dict[tuple[str, str], str] = {}


def _matrix_params() -> list[Any]:
    return [
        pytest.param(
            key,
            id=f"{key[1]} {key[0]}",
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[key])]
            if key in KNOWN_BUGS
            else [],
        )
        for key in sorted(set(ROUTES) | set(EXPECTED))
    ]


@SQLITE_ONLY
@pytest.mark.parametrize("key", _matrix_params())
def test_route_matrix(key: tuple[str, str], db_url: str, request: pytest.FixtureRequest) -> None:
    if key not in EXPECTED:
        pytest.fail(
            f"route {key[0]!r} ({key[1]} {ROUTES[key]}) has no entry in EXPECTED: "
            "add the status each caller should get"
        )
    if key not in ROUTES:
        pytest.fail(f"EXPECTED has an entry for {key}, which the app does not serve")
    env = Env(request.getfixturevalue("app"), request.getfixturevalue("world"))
    for role in ROLES:
        response, call = _call(env, key, role)
        _check(response, EXPECTED[key].expect[role], f"{role} {key[1]} {ROUTES[key]}")
        if call.verify:
            call.verify(200 <= response.status_code < 300)


def test_every_route_has_an_entry() -> None:
    missing = [f"{m} {name} {ROUTES[(name, m)]}" for name, m in sorted(set(ROUTES) - set(EXPECTED))]
    assert not missing, f"routes without an EXPECTED entry: {missing}"
    assert len(ROUTES) >= 40  # the walk found the API routers, not just the app's own routes


def test_table_encodes_the_rules() -> None:
    """The table itself keeps the policy: nobody can add a row that leaks or skips auth."""
    for (name, method), entry in EXPECTED.items():
        expect = entry.expect
        if name not in PUBLIC:
            assert expect["anonymous"] == 401, (name, method)
        if "{group}" in ROUTES.get((name, method), "") or (name, method) in GROUP_IN_QUERY_OR_BODY:
            assert expect["outsider"] == 404, (name, method)  # never 403: no existence leak
        if name not in OWNER_ONLY:
            assert 200 <= expect["platform_admin"] < 300, (name, method)


@SQLITE_ONLY
def test_group_admin_cannot_see_another_group(app: FastAPI, world: World) -> None:
    """alice administers ml; for her, bio (carol's group) does not exist."""
    env = Env(app, world)
    keys = [k for k, path in ROUTES.items() if "{group}" in path] + sorted(GROUP_IN_QUERY)
    for key in filter(EXPECTED.__contains__, keys):
        call = EXPECTED[key].setup(env, "group_admin")
        path = _path(key, {**DEFAULT_PARAMS, **call.params, "group": "bio", "username": "carol"})
        r = world.alice.request(
            key[1],
            path,
            json=call.json,
            content=call.content,
            headers=call.headers,
            params={**(call.query or {}), "group": "bio"},
        )
        _check(r, 404, f"group_admin {key[1]} {path}")
    bio = world.carol.get("/api/v1/groups/bio").json()
    assert bio["member_count"] == 1 and bio["description"] is None
    r = world.alice.post("/api/v1/invitations", json={"group": "bio"})
    _check(r, 404, "group_admin POST /api/v1/invitations for bio")
