"""User administration and the rules that protect it."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from tests.conftest import World, login


def _count_users(hub) -> int:  # type: ignore[no-untyped-def]
    from atrium.server.store.tables import UserRow

    with hub.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(UserRow)))


def test_create_get_update_delete(world: World, app: FastAPI) -> None:
    created = world.admin.post(
        "/api/v1/users",
        json={
            "username": "erin",
            "password": "erin-pass-1",
            "email": "erin@example.org",
            "display_name": "Erin",
        },
    )
    assert created.status_code == 201
    assert created.json()["email"] == "erin@example.org" and created.json()["is_admin"] is False
    updated = world.admin.patch(
        "/api/v1/users/erin", json={"display_name": "Erin K", "is_admin": True}
    )
    assert updated.json()["display_name"] == "Erin K" and updated.json()["is_admin"] is True
    assert world.admin.get("/api/v1/users/erin").json()["display_name"] == "Erin K"
    assert world.admin.delete("/api/v1/users/erin").status_code == 204
    assert world.admin.get("/api/v1/users/erin").status_code == 404


@pytest.mark.real_argon2
def test_password_is_argon2_hashed(world: World, hub) -> None:  # type: ignore[no-untyped-def]
    from atrium.server.store.tables import UserRow

    with hub.db.read() as s:
        stored = s.scalar(select(UserRow.password_hash).where(UserRow.username == "bob"))
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")  # OWASP's floor
    assert "bob-pass-123" not in stored


def test_reset_password_revokes_sessions(world: World, app: FastAPI) -> None:
    r = world.admin.post("/api/v1/users/bob/password", json={"password": "reset-pass-1"})
    assert r.status_code == 204
    assert world.bob.get("/api/v1/me").status_code == 401
    assert login(app, "bob", "reset-pass-1").get("/api/v1/me").status_code == 200


def test_list_paginates_and_filters(world: World) -> None:
    first = world.admin.get("/api/v1/users", params={"limit": 2}).json()
    assert [u["username"] for u in first["items"]] == ["admin", "alice"]
    second = world.admin.get("/api/v1/users", params={"limit": 2, "cursor": first["next_cursor"]})
    assert [u["username"] for u in second.json()["items"]] == ["bob", "carol"]
    found = world.admin.get("/api/v1/users", params={"q": "CAR"}).json()["items"]
    assert [u["username"] for u in found] == ["carol"]


def test_users_see_themselves_but_not_others(world: World) -> None:
    assert world.bob.get("/api/v1/users/bob").json()["username"] == "bob"
    assert world.bob.get("/api/v1/users/alice").status_code == 403
    assert world.bob.get("/api/v1/users").status_code == 403


def test_duplicate_username_conflicts_and_changes_nothing(world: World, hub) -> None:  # type: ignore[no-untyped-def]
    before = _count_users(hub)
    r = world.admin.post("/api/v1/users", json={"username": "bob", "password": "other-pass-1"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    assert _count_users(hub) == before
    assert login(world.admin.app, "bob", "bob-pass-123").get("/api/v1/me").status_code == 200  # type: ignore[arg-type]


def test_last_admin_is_protected(world: World) -> None:
    r = world.admin.patch("/api/v1/users/admin", json={"is_admin": False})
    assert r.status_code == 409
    assert world.admin.delete("/api/v1/users/admin").status_code == 409
    assert world.admin.get("/api/v1/users/admin").json()["is_admin"] is True


def test_bad_user_input_changes_nothing(world: World, hub) -> None:  # type: ignore[no-untyped-def]
    before = _count_users(hub)
    bad_bodies = [
        {"username": "a/b", "password": "long-enough-1"},
        {"username": "x" * 64, "password": "long-enough-1"},
        {"username": "tab\tname", "password": "long-enough-1"},
        {"username": "Upper", "password": "long-enough-1"},
        {"username": "ok", "password": "short"},
        {"username": "ok2", "password": "long-enough-1", "role": "god"},
        {"username": "ok3", "password": "long-enough-1", "email": "not-an-email"},
        {"username": "ok4", "password": "long-enough-1", "display_name": "bell\x07"},
    ]
    for body in bad_bodies:
        r = world.admin.post("/api/v1/users", json=body)
        assert r.status_code == 422, body
        assert r.json()["error"]["code"] == "validation_error"
    assert _count_users(hub) == before
