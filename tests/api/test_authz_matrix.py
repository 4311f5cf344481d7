"""The authorization matrix: every route of the app x five callers, on group ``ml``.

The routes come from the app's own route table, so a route added without an entry in EXPECTED
fails ``test_route_matrix[<METHOD> <name>]`` with a message naming it. Each entry lists the
status each caller gets, in the order of ROLES, and how to build the call: destructive calls
(delete a group, a user, a token, ...) get a fresh target per caller, and ``verify`` checks that
a refused call changed nothing and an allowed one took effect.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from atrium.server.app import create_app
from atrium.server.services import security
from atrium.server.settings import Settings
from tests.conftest import ADMIN_PASSWORD, World, login

ROLES = ("anonymous", "outsider", "member", "group_admin", "platform_admin")
USER_OF = {"outsider": "dave", "member": "bob", "group_admin": "alice", "platform_admin": "admin"}
PASSWORD = {"admin": ADMIN_PASSWORD, **{n: f"{n}-pass-123" for n in ("alice", "bob", "dave")}}
ERROR_CODE = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 409: "conflict"}
DEFAULT_PARAMS = {"group": "ml", "username": "bob", "name": "cpu-1"}
OWNER_ONLY = {"tokens.get", "tokens.revoke"}  # another user's token is a 404, even to admins
SKIPPED_ROUTES = {"dashboard"}  # the SPA catch-all: static files, no authorization
PUBLIC = {"system.health", "auth.login", "invitations.preview", "invitations.accept", "metrics",
          "openapi", "swagger_ui_html", "swagger_ui_redirect"}

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


# ---- the route table -------------------------------------------------------------------------


def route_table(app: FastAPI) -> dict[tuple[str, str], str]:
    """(route name, method) -> path template, for every route the app serves."""
    try:  # FastAPI >= 0.165 includes routers lazily; this walks the effective routes
        from fastapi.routing import iter_route_contexts

        routes: Any = list(iter_route_contexts(app.routes))
    except ImportError:  # pragma: no cover - older FastAPI flattens routes on include
        routes = app.routes
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


def _app_for_collection() -> FastAPI:
    """An app used only to read its route table: its database is never opened."""
    home = Path(tempfile.gettempdir()) / "atrium-authz-collection"
    return create_app(Settings(home=home, database_url=f"sqlite:///{home}/never-opened.db"))


ROUTES = route_table(_app_for_collection())


# ---- callers and targets ---------------------------------------------------------------------


class Env:
    """The world plus helpers that make fresh, uniquely named targets."""

    def __init__(self, app: FastAPI, world: World) -> None:
        self.app, self.world = app, world
        self.admin = world.admin
        self._seq = itertools.count()
        self._clients = {"outsider": world.dave, "member": world.bob,
                         "group_admin": world.alice, "platform_admin": world.admin}

    def client(self, role: str) -> TestClient:
        return TestClient(self.app) if role == "anonymous" else self._clients[role]

    def fresh(self, prefix: str) -> str:
        return f"{prefix}-{next(self._seq)}"

    def ok(self, response: Any, status: int = 201) -> Any:
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    def new_user(self) -> str:
        name = self.fresh("user")
        self.ok(self.admin.post("/api/v1/users", json={"username": name, "password": "pw-123456"}))
        return name

    def new_member(self, role: str = "member") -> str:
        name = self.new_user()
        body = {"username": name, "role": role}
        self.ok(self.admin.post("/api/v1/groups/ml/members", json=body))
        return name

    def new_group(self) -> str:
        """A throwaway copy of ml: alice admin, bob member."""
        name = self.fresh("tmp")
        self.ok(self.admin.post("/api/v1/groups", json={"name": name}))
        for user, role in (("alice", "admin"), ("bob", "member")):
            body = {"username": user, "role": role}
            self.ok(self.admin.post(f"/api/v1/groups/{name}/members", json=body))
        return name

    def bob_token(self) -> dict[str, Any]:
        return self.ok(self.world.bob.post("/api/v1/tokens", json={"name": self.fresh("t")}))

    def invitation(self) -> dict[str, Any]:
        return self.ok(self.admin.post("/api/v1/invitations", json={"group": "ml"}))

    def status(self, path: str, client: TestClient | None = None) -> int:
        return (client or self.admin).get(path).status_code


@dataclass
class Call:
    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    query: dict[str, str] | None = None
    client: TestClient | None = None  # instead of the role's usual client
    verify: Callable[[bool], None] | None = None  # gets "was the call allowed?"


Setup = Callable[[Env, str], Call]


@dataclass(frozen=True)
class Spec:
    expect: dict[str, int]
    setup: Setup = lambda env, role: Call()


def spec(statuses: str, setup: Setup | None = None) -> Spec:
    """``"401 404 200 200 200"``: anonymous, outsider, member, group admin, platform admin."""
    codes = [int(s) for s in statuses.split()]
    assert len(codes) == len(ROLES)
    return Spec(dict(zip(ROLES, codes, strict=True)), setup or (lambda env, role: Call()))


def body(payload: dict[str, Any]) -> Setup:
    return lambda env, role: Call(json=payload)


def query(**params: str) -> Setup:
    return lambda env, role: Call(query=params)


def exists_iff_refused(env: Env, path: str) -> Callable[[bool], None]:
    def verify(allowed: bool) -> None:
        assert env.status(path) == (404 if allowed else 200), path

    return verify


def created_iff_allowed(env: Env, path: str) -> Callable[[bool], None]:
    return lambda allowed: exists_iff_refused(env, path)(not allowed)


# ---- setups for calls that need fresh targets ------------------------------------------------


def logout(env: Env, role: str) -> Call:
    if role == "anonymous":
        return Call()
    client = login(env.app, USER_OF[role], PASSWORD[USER_OF[role]])
    return Call(client=client, verify=lambda ok: _signed_in(client, not ok))


def _signed_in(client: TestClient, expected: bool) -> None:
    assert (client.get("/api/v1/me").status_code == 200) is expected


def own_password(env: Env, role: str) -> Call:
    password = PASSWORD.get(USER_OF.get(role, ""), "whatever-123")
    return Call(json={"current_password": password, "new_password": password})


def bob_token(env: Env, role: str) -> Call:
    return Call(params={"token_id": env.bob_token()["id"]})


def revoke_bob_token(env: Env, role: str) -> Call:
    token = env.bob_token()
    holder = TestClient(env.app, headers={"Authorization": f"Bearer {token['token']}"})
    return Call(params={"token_id": token["id"]}, verify=lambda ok: _signed_in(holder, not ok))


def create_user(env: Env, role: str) -> Call:
    name = env.fresh("new")
    return Call(json={"username": name, "password": "pw-123456"},
                verify=created_iff_allowed(env, f"/api/v1/users/{name}"))


def reset_password(env: Env, role: str) -> Call:
    name = env.new_user()

    def verify(allowed: bool) -> None:
        r = TestClient(env.app).post("/api/v1/auth/login",
                                     json={"username": name, "password": "pw-123456"})
        assert r.status_code == (401 if allowed else 200)

    return Call(params={"username": name}, json={"password": "new-pw-123456"}, verify=verify)


def delete_user(env: Env, role: str) -> Call:
    name = env.new_user()
    return Call(params={"username": name}, verify=exists_iff_refused(env, f"/api/v1/users/{name}"))


def create_group(env: Env, role: str) -> Call:
    name = env.fresh("grp")
    return Call(json={"name": name}, verify=created_iff_allowed(env, f"/api/v1/groups/{name}"))


def delete_group(env: Env, role: str) -> Call:
    name = env.new_group()
    return Call(params={"group": name}, verify=exists_iff_refused(env, f"/api/v1/groups/{name}"))


def add_member(env: Env, role: str) -> Call:
    name = env.new_user()
    return Call(json={"username": name, "role": "member"},
                verify=created_iff_allowed(env, f"/api/v1/groups/ml/members/{name}"))


def promote_member(env: Env, role: str) -> Call:
    name = env.new_member()

    def verify(allowed: bool) -> None:
        member = env.ok(env.admin.get(f"/api/v1/groups/ml/members/{name}"), 200)
        assert member["role"] == ("admin" if allowed else "member")

    return Call(params={"username": name}, json={"role": "admin"}, verify=verify)


def remove_member(env: Env, role: str) -> Call:
    name = env.new_member()
    path = f"/api/v1/groups/ml/members/{name}"
    return Call(params={"username": name}, verify=exists_iff_refused(env, path))


def set_quota(path: str, base: int) -> Setup:
    def setup(env: Env, role: str) -> Call:
        before = env.ok(env.admin.get(path), 200)["cpu"]
        cpu = base + ROLES.index(role)

        def verify(allowed: bool) -> None:
            assert env.ok(env.admin.get(path), 200)["cpu"] == (cpu if allowed else before)

        return Call(json={"cpu": cpu}, verify=verify)

    return setup


def create_type(env: Env, role: str) -> Call:
    name = env.fresh("it")
    return Call(json={"name": name, "cpu": 1, "memory": "1Gi"},
                verify=created_iff_allowed(env, f"/api/v1/instance-types/{name}"))


def delete_type(env: Env, role: str) -> Call:
    name = env.fresh("it")
    env.ok(env.admin.post("/api/v1/instance-types", json={"name": name, "cpu": 1, "memory": 1024}))
    path = f"/api/v1/instance-types/{name}"
    return Call(params={"name": name}, verify=exists_iff_refused(env, path))


def revoke_invitation(env: Env, role: str) -> Call:
    invitation = env.invitation()

    def verify(allowed: bool) -> None:
        page = env.ok(env.admin.get("/api/v1/invitations", params={"group": "ml"}), 200)
        assert (invitation["id"] in {i["id"] for i in page["items"]}) is not allowed

    return Call(params={"invitation_id": invitation["id"]}, verify=verify)


def preview_invitation(env: Env, role: str) -> Call:
    return Call(json={"token": env.invitation()["token"]})


def accept_invitation(env: Env, role: str) -> Call:
    payload = {"token": env.invitation()["token"]}
    if role == "anonymous":
        payload |= {"username": env.fresh("joiner"), "password": "pw-123456"}
    return Call(json=payload)


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
    ("swagger_ui_redirect", "GET"): spec(ANYONE),
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
    ("quota.update", "PATCH"): spec("401 404 403 403 200",
                                    set_quota("/api/v1/groups/ml/quota", 100)),
    ("member_quota.get", "GET"): spec(MEMBER_READ),
    ("member_quota.update", "PATCH"): spec(GROUP_ADMIN,
                                           set_quota("/api/v1/groups/ml/members/bob/quota", 2)),
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
}


# ---- the tests -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The matrix creates ~200 users; argon2 at its lowest cost keeps that to seconds."""
    monkeypatch.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8,
                                                             parallelism=1))


def _call(env: Env, key: tuple[str, str], role: str) -> Any:
    call = EXPECTED[key].setup(env, role)
    path = ROUTES[key].format(**{**DEFAULT_PARAMS, **call.params})
    client = call.client or env.client(role)
    response = client.request(key[1], path, json=call.json, params=call.query)
    client.cookies.clear()  # a login must not turn later calls of this client into cookie calls
    return response, call


def _check(response: Any, expected: int, where: str) -> None:
    assert response.status_code == expected, f"{where}: {response.status_code} {response.text}"
    if expected in ERROR_CODE:
        assert response.json()["error"]["code"] == ERROR_CODE[expected], where


# Server bugs this matrix found; each entry must go when the bug is fixed (strict xfail).
KNOWN_BUGS: dict[tuple[str, str], str] = {}


def _matrix_params() -> list[Any]:
    return [
        pytest.param(key, id=f"{key[1]} {key[0]}", marks=[
            pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[key])
        ] if key in KNOWN_BUGS else [])
        for key in sorted(set(ROUTES) | set(EXPECTED))
    ]


@SQLITE_ONLY
@pytest.mark.parametrize("key", _matrix_params())
def test_route_matrix(key: tuple[str, str], db_url: str, request: pytest.FixtureRequest) -> None:
    if key not in EXPECTED:
        pytest.fail(f"route {key[0]!r} ({key[1]} {ROUTES[key]}) has no entry in EXPECTED: "
                    "add the status each caller should get")
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
        if "{group}" in ROUTES.get((name, method), ""):
            assert expect["outsider"] == 404, (name, method)  # never 403: no existence leak
        if name not in OWNER_ONLY:
            assert 200 <= expect["platform_admin"] < 300, (name, method)


GROUP_SCOPED_BY_QUERY = {
    ("instance_types.list", "GET"), ("invitations.list", "GET"), ("audit.list", "GET"),
}


@SQLITE_ONLY
def test_group_admin_cannot_see_another_group(app: FastAPI, world: World) -> None:
    """alice administers ml; for her, bio (carol's group) does not exist."""
    env = Env(app, world)
    keys = [k for k, path in ROUTES.items() if "{group}" in path] + sorted(GROUP_SCOPED_BY_QUERY)
    for key in keys:
        call = EXPECTED[key].setup(env, "group_admin")
        path = ROUTES[key].format(**{**DEFAULT_PARAMS, **call.params, "group": "bio",
                                     "username": "carol"})
        r = world.alice.request(key[1], path, json=call.json, params={"group": "bio"})
        _check(r, 404, f"group_admin {key[1]} {path}")
    bio = world.carol.get("/api/v1/groups/bio").json()
    assert bio["member_count"] == 1 and bio["description"] is None
    r = world.alice.post("/api/v1/invitations", json={"group": "bio"})
    _check(r, 404, "group_admin POST /api/v1/invitations for bio")
