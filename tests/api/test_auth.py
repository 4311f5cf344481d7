"""Login, sessions with CSRF, logout, API tokens, and who the caller is."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import ADMIN_PASSWORD, FakeClock, World, login

LOGIN = "/api/v1/auth/login"


def test_login_returns_token_and_sets_httponly_cookie(anon: TestClient) -> None:
    r = anon.post(LOGIN, json={"username": "admin", "password": ADMIN_PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["token"].startswith("ats_") and body["user"]["username"] == "admin"
    cookies = r.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("atrium_session="))
    assert "HttpOnly" in session and "SameSite=lax" in session
    csrf = next(c for c in cookies if c.startswith("atrium_csrf="))
    assert "HttpOnly" not in csrf
    me = anon.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json()["username"] == "admin" and me.json()["is_admin"] is True


def test_wrong_password_and_unknown_user_look_the_same(anon: TestClient) -> None:
    wrong = anon.post(LOGIN, json={"username": "admin", "password": "nope-nope"})
    unknown = anon.post(LOGIN, json={"username": "ghost", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"]["message"] == unknown.json()["error"]["message"]
    assert "token" not in wrong.json()


def test_failed_login_is_audited_as_denied(anon: TestClient, admin: TestClient) -> None:
    anon.post(LOGIN, json={"username": "admin", "password": "nope-nope"})
    events = admin.get("/api/v1/audit", params={"action": "auth.login"}).json()["items"]
    assert [e["outcome"] for e in events][:2] == ["denied", "success"]


def test_cookie_mutation_needs_csrf_header(app: FastAPI, anon: TestClient) -> None:
    r = anon.post(LOGIN, json={"username": "admin", "password": ADMIN_PASSWORD})
    csrf = r.json()["csrf_token"]
    assert anon.get("/api/v1/me").status_code == 200  # reads need no CSRF token
    refused = anon.post("/api/v1/groups", json={"name": "g1"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
    wrong = anon.post("/api/v1/groups", json={"name": "g1"}, headers={"X-CSRF-Token": "csrf_x"})
    assert wrong.status_code == 403
    assert anon.get("/api/v1/groups/g1").status_code == 404  # nothing was created
    ok = anon.post("/api/v1/groups", json={"name": "g1"}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201


def test_logout_revokes_the_session(anon: TestClient) -> None:
    r = anon.post(LOGIN, json={"username": "admin", "password": ADMIN_PASSWORD})
    bearer = {"Authorization": f"Bearer {r.json()['token']}"}
    assert anon.post("/api/v1/auth/logout", headers=bearer).status_code == 204
    after = anon.get("/api/v1/me", headers=bearer)
    assert after.status_code == 401 and "revoked" in after.json()["error"]["message"]


def test_session_expires(app: FastAPI, clock: FakeClock) -> None:
    client = login(app, "admin", ADMIN_PASSWORD)
    assert client.get("/api/v1/me").status_code == 200
    clock.advance(days=8)
    r = client.get("/api/v1/me")
    assert r.status_code == 401 and "expired" in r.json()["error"]["message"]


def test_api_token_lifecycle(world: World, app: FastAPI, clock: FakeClock) -> None:
    created = world.bob.post("/api/v1/tokens", json={"name": "ci", "expires_in_days": 1})
    assert created.status_code == 201
    token = created.json()
    assert token["token"].startswith("atr_") and token["prefix"] == token["token"][:8]
    use = TestClient(app, headers={"Authorization": f"Bearer {token['token']}"})
    assert use.get("/api/v1/me").json()["username"] == "bob"
    listed = world.bob.get("/api/v1/tokens").json()["items"]
    assert [t["id"] for t in listed] == [token["id"]] and "token" not in listed[0]
    # Someone else's token is invisible.
    assert world.alice.get(f"/api/v1/tokens/{token['id']}").status_code == 404
    assert world.alice.delete(f"/api/v1/tokens/{token['id']}").status_code == 404
    assert use.get("/api/v1/me").status_code == 200
    clock.advance(days=2)
    assert use.get("/api/v1/me").status_code == 401
    assert world.bob.delete(f"/api/v1/tokens/{token['id']}").status_code == 204
    assert world.bob.get("/api/v1/tokens").json()["items"] == []


def test_revoked_token_is_refused_at_once(world: World, app: FastAPI) -> None:
    token = world.bob.post("/api/v1/tokens", json={"name": "t"}).json()
    use = TestClient(app, headers={"Authorization": f"Bearer {token['token']}"})
    assert use.get("/api/v1/me").status_code == 200
    world.bob.delete(f"/api/v1/tokens/{token['id']}")
    r = use.get("/api/v1/me")
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"


def test_tokens_are_stored_hashed(world: World, hub) -> None:  # type: ignore[no-untyped-def]
    secret = world.bob.post("/api/v1/tokens", json={"name": "t"}).json()["token"]
    from sqlalchemy import text

    with hub.db.read() as s:
        stored = [row[0] for row in s.execute(text("SELECT secret_hash FROM tokens"))]
    assert secret not in stored and all(len(h) == 64 for h in stored)


def test_me_lists_groups_with_roles(world: World) -> None:
    me = world.alice.get("/api/v1/me").json()
    assert me["groups"] == [{"name": "ml", "display_name": None, "role": "admin"}]
    assert world.dave.get("/api/v1/me").json()["groups"] == []


def test_change_own_password(world: World, app: FastAPI) -> None:
    wrong = world.bob.post(
        "/api/v1/me/password", json={"current_password": "x", "new_password": "new-pass-123"}
    )
    assert wrong.status_code == 403
    ok = world.bob.post(
        "/api/v1/me/password",
        json={"current_password": "bob-pass-123", "new_password": "new-pass-123"},
    )
    assert ok.status_code == 204
    assert login(app, "bob", "new-pass-123").get("/api/v1/me").status_code == 200


def test_disabled_user_cannot_use_tokens(world: World, app: FastAPI) -> None:
    assert world.admin.patch("/api/v1/users/bob", json={"enabled": False}).status_code == 200
    assert world.bob.get("/api/v1/me").status_code == 401
    r = TestClient(app).post(LOGIN, json={"username": "bob", "password": "bob-pass-123"})
    assert r.status_code == 401


def test_garbage_authorization_header(anon: TestClient) -> None:
    for header in ("Basic abc", "Bearer", "Bearer nope"):
        r = anon.get("/api/v1/me", headers={"Authorization": header})
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"
