"""One-time, expiring invitations."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import FakeClock, World, login


def _invite(world: World, **body: object) -> dict:  # type: ignore[type-arg]
    r = world.alice.post("/api/v1/invitations", json={"group": "ml", **body})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_sign_up_with_invitation_lands_in_group(world: World, app: FastAPI) -> None:
    inv = _invite(world, role="member", email="new@example.org")
    anon = TestClient(app)
    preview = anon.post("/api/v1/invitations/preview", json={"token": inv["token"]}).json()
    assert preview["group"] == "ml" and preview["role"] == "member"
    accepted = anon.post(
        "/api/v1/invitations/accept",
        json={"token": inv["token"], "username": "newbie", "password": "newbie-pass-1"},
    )
    assert accepted.status_code == 200, accepted.text
    session = accepted.json()["token"]
    me = anon.get("/api/v1/me", headers={"Authorization": f"Bearer {session}"}).json()
    assert me["groups"] == [{"name": "ml", "display_name": None, "role": "member"}]
    listed = world.alice.get("/api/v1/invitations", params={"group": "ml"}).json()["items"]
    assert listed[0]["used_by"] == "newbie"


def test_invitation_is_one_time(world: World, app: FastAPI) -> None:
    inv = _invite(world)
    anon = TestClient(app)
    body = {"token": inv["token"], "username": "u1", "password": "u1-pass-123"}
    assert anon.post("/api/v1/invitations/accept", json=body).status_code == 200
    again = anon.post("/api/v1/invitations/accept", json={**body, "username": "u2"})
    assert again.status_code == 404
    assert world.admin.get("/api/v1/users/u2").status_code == 404


def test_expired_invitation_is_refused(world: World, app: FastAPI, clock: FakeClock) -> None:
    inv = _invite(world, expires_in_hours=1)
    clock.advance(hours=2)
    r = TestClient(app).post(
        "/api/v1/invitations/accept",
        json={"token": inv["token"], "username": "late", "password": "late-pass-1"},
    )
    assert r.status_code == 404 and "expired" in r.json()["error"]["message"]
    assert world.admin.get("/api/v1/users/late").status_code == 404


def test_signed_in_user_accepts(world: World) -> None:
    inv = _invite(world, role="admin")
    r = world.dave.post("/api/v1/invitations/accept", json={"token": inv["token"]})
    assert r.status_code == 200 and r.json()["token"] is None
    assert world.dave.get("/api/v1/groups/ml").json()["my_role"] == "admin"


def test_revoked_invitation_is_gone(world: World, app: FastAPI) -> None:
    inv = _invite(world)
    assert world.carol.delete(f"/api/v1/invitations/{inv['id']}").status_code == 404
    assert world.bob.delete(f"/api/v1/invitations/{inv['id']}").status_code == 403
    assert world.alice.delete(f"/api/v1/invitations/{inv['id']}").status_code == 204
    r = TestClient(app).post("/api/v1/invitations/preview", json={"token": inv["token"]})
    assert r.status_code == 404


def test_only_group_admins_invite(world: World) -> None:
    assert world.bob.post("/api/v1/invitations", json={"group": "ml"}).status_code == 403
    assert world.carol.post("/api/v1/invitations", json={"group": "ml"}).status_code == 404
    assert world.carol.get("/api/v1/invitations", params={"group": "ml"}).status_code == 404


def test_sign_up_with_taken_username_changes_nothing(world: World, app: FastAPI) -> None:
    inv = _invite(world)
    r = TestClient(app).post(
        "/api/v1/invitations/accept",
        json={"token": inv["token"], "username": "carol", "password": "whatever-1"},
    )
    assert r.status_code == 409
    assert world.carol.get("/api/v1/groups/ml").status_code == 404
    assert login(app, "carol", "carol-pass-123").get("/api/v1/me").status_code == 200
    still = world.alice.get("/api/v1/invitations", params={"group": "ml"}).json()["items"][0]
    assert still["used_at"] is None
