"""Callers, fresh targets and call setups for the authorization matrix (test_authz_matrix.py).

A setup gets the environment and the caller's role and returns the Call to make: path
parameters, body, query, and a ``verify`` that checks the call's effect, or its absence.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import ADMIN_PASSWORD, World, login

ROLES = ("anonymous", "outsider", "member", "group_admin", "platform_admin")
USER_OF = {"outsider": "dave", "member": "bob", "group_admin": "alice", "platform_admin": "admin"}
PASSWORD = {"admin": ADMIN_PASSWORD, **{n: f"{n}-pass-123" for n in ("alice", "bob", "dave")}}


# ---- callers and targets ---------------------------------------------------------------------


class Env:
    """The world plus helpers that make fresh, uniquely named targets."""

    def __init__(self, app: FastAPI, world: World) -> None:
        self.app, self.world = app, world
        self.admin = world.admin
        self._seq = itertools.count()
        self.made: set[str] = set()  # shared targets made once per world (see authz_datasets)
        self._clients = {
            "outsider": world.dave,
            "member": world.bob,
            "group_admin": world.alice,
            "platform_admin": world.admin,
        }

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
    content: bytes | None = None  # a raw body instead of JSON
    headers: dict[str, str] | None = None
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
    return Call(
        json={"username": name, "password": "pw-123456"},
        verify=created_iff_allowed(env, f"/api/v1/users/{name}"),
    )


def reset_password(env: Env, role: str) -> Call:
    name = env.new_user()

    def verify(allowed: bool) -> None:
        r = TestClient(env.app).post(
            "/api/v1/auth/login", json={"username": name, "password": "pw-123456"}
        )
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
    return Call(
        json={"username": name, "role": "member"},
        verify=created_iff_allowed(env, f"/api/v1/groups/ml/members/{name}"),
    )


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
    return Call(
        json={"name": name, "cpu": 1, "memory": "1Gi"},
        verify=created_iff_allowed(env, f"/api/v1/instance-types/{name}"),
    )


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
    """Anonymous callers sign up as a new user; signed-in callers join as themselves."""
    payload = {"token": env.invitation()["token"]}
    joiner = USER_OF.get(role) or env.fresh("joiner")
    if role == "anonymous":
        payload |= {"username": joiner, "password": "pw-123456"}
    was_member = env.status(f"/api/v1/groups/ml/members/{joiner}") == 200

    def verify(allowed: bool) -> None:
        assert env.status(f"/api/v1/groups/ml/members/{joiner}") == (
            200 if allowed or was_member else 404
        )
        token = {"token": payload["token"]}
        preview = TestClient(env.app).post("/api/v1/invitations/preview", json=token)
        assert preview.status_code == (404 if allowed else 200)  # used, or still open

    return Call(json=payload, verify=verify)
