"""Groups, members, and isolation between groups."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import World


def _memberships(hub) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    from atrium.server.store.tables import GroupRow, MembershipRow, UserRow

    stmt = (
        select(GroupRow.name, UserRow.username, MembershipRow.role)
        .join(MembershipRow, MembershipRow.group_id == GroupRow.id)
        .join(UserRow, UserRow.id == MembershipRow.user_id)
    )
    with hub.db.read() as s:
        return {tuple(row) for row in s.execute(stmt)}  # type: ignore[misc]


def test_members_see_only_their_groups(world: World) -> None:
    assert [g["name"] for g in world.bob.get("/api/v1/groups").json()["items"]] == ["ml"]
    assert [g["name"] for g in world.carol.get("/api/v1/groups").json()["items"]] == ["bio"]
    assert world.dave.get("/api/v1/groups").json()["items"] == []
    admin_view = world.admin.get("/api/v1/groups").json()["items"]
    assert {g["name"] for g in admin_view} == {"ml", "bio"}
    ml = world.bob.get("/api/v1/groups/ml").json()
    assert ml["member_count"] == 2 and ml["my_role"] == "member"


def test_other_groups_are_404_not_403(world: World) -> None:
    for path in (
        "/api/v1/groups/bio",
        "/api/v1/groups/bio/members",
        "/api/v1/groups/bio/quota",
        "/api/v1/groups/bio/usage",
        "/api/v1/groups/bio/members/carol",
    ):
        r = world.bob.get(path)
        assert r.status_code == 404, path
        assert world.bob.get(path.replace("bio", "no-such-group")).json() == {
            "error": {
                **r.json()["error"],
                "message": r.json()["error"]["message"].replace("bio", "no-such-group"),
            }
        }


def test_group_admin_manages_members(world: World, hub) -> None:  # type: ignore[no-untyped-def]
    added = world.alice.post(
        "/api/v1/groups/ml/members", json={"username": "dave", "role": "member"}
    )
    assert added.status_code == 201 and added.json()["role"] == "member"
    promoted = world.alice.patch("/api/v1/groups/ml/members/dave", json={"role": "admin"})
    assert promoted.json()["role"] == "admin"
    assert ("ml", "dave", "admin") in _memberships(hub)
    assert world.alice.delete("/api/v1/groups/ml/members/dave").status_code == 204
    assert all(m[1] != "dave" for m in _memberships(hub))


def test_member_cannot_manage_members(world: World, hub) -> None:  # type: ignore[no-untyped-def]
    before = _memberships(hub)
    r = world.bob.post("/api/v1/groups/ml/members", json={"username": "dave", "role": "admin"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert (
        world.bob.patch("/api/v1/groups/ml/members/bob", json={"role": "admin"}).status_code == 403
    )
    assert _memberships(hub) == before


def test_group_admin_cannot_touch_another_group(world: World, hub) -> None:  # type: ignore[no-untyped-def]
    before = _memberships(hub)
    r = world.alice.patch("/api/v1/groups/bio/members/carol", json={"role": "member"})
    assert r.status_code == 404
    r = world.alice.post("/api/v1/groups/bio/members", json={"username": "alice", "role": "admin"})
    assert r.status_code == 404
    assert _memberships(hub) == before


def test_last_group_admin_cannot_step_down(world: World) -> None:
    r = world.alice.patch("/api/v1/groups/ml/members/alice", json={"role": "member"})
    assert r.status_code == 409
    assert world.alice.delete("/api/v1/groups/ml/members/alice").status_code == 409
    assert world.alice.get("/api/v1/groups/ml/members/alice").json()["role"] == "admin"


def test_duplicate_group_and_member(world: World, hub) -> None:  # type: ignore[no-untyped-def]
    from atrium.server.store.tables import GroupRow

    assert world.admin.post("/api/v1/groups", json={"name": "ml"}).status_code == 409
    r = world.alice.post("/api/v1/groups/ml/members", json={"username": "bob", "role": "admin"})
    assert r.status_code == 409
    assert ("ml", "bob", "member") in _memberships(hub)
    with hub.db.read() as s:
        assert s.scalar(select(func.count()).select_from(GroupRow)) == 2


def test_bad_group_input_changes_nothing(world: World, hub) -> None:  # type: ignore[no-untyped-def]
    before = _memberships(hub)
    groups_before = world.admin.get("/api/v1/groups").json()["items"]
    bad_bodies = [
        {"name": "g" * 64},
        {"name": "a/b"},
        {"name": "..\\up"},
        {"name": "bell\x07"},
        {"name": "ok", "display_name": "new\nline"},
        {"name": "ok", "quota": {"cpu": 100}},
        {"name": "ok", "description": "d" * 5001},
    ]
    for body in bad_bodies:
        r = world.admin.post("/api/v1/groups", json=body)
        assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error", body
    headers = {"Content-Type": "application/json"}
    broken = world.admin.post("/api/v1/groups", content=b'{"name": "ok"', headers=headers)
    assert broken.status_code == 400 and broken.json()["error"]["message"]
    r = world.alice.post("/api/v1/groups/ml/members", json={"username": "carol", "role": "owner"})
    assert r.status_code == 422
    assert world.admin.get("/api/v1/groups").json()["items"] == groups_before
    assert _memberships(hub) == before


def test_only_platform_admins_create_groups(world: World) -> None:
    assert world.alice.post("/api/v1/groups", json={"name": "mine"}).status_code == 403
    assert world.admin.get("/api/v1/groups/mine").status_code == 404


def test_group_update_by_group_admin(world: World) -> None:
    r = world.alice.patch("/api/v1/groups/ml", json={"display_name": "ML", "description": "d"})
    assert r.json()["display_name"] == "ML" and r.json()["description"] == "d"
    assert world.bob.patch("/api/v1/groups/ml", json={"display_name": "x"}).status_code == 403
    assert world.bob.get("/api/v1/groups/ml").json()["display_name"] == "ML"


def test_delete_preview_then_delete(world: World, hub) -> None:  # type: ignore[no-untyped-def]
    world.alice.post("/api/v1/invitations", json={"group": "ml"})
    preview = world.admin.delete("/api/v1/groups/ml", params={"preview": "true"}).json()
    assert preview == {
        "group": "ml",
        "deleted": False,
        "resources": {
            "members": 2,
            "invitations": 1,
            "member_quotas": 0,
            "reservations": 0,
            "datasets": 0,
        },
    }
    assert world.bob.get("/api/v1/groups/ml").status_code == 200
    assert world.alice.delete("/api/v1/groups/ml").status_code == 403
    done = world.admin.delete("/api/v1/groups/ml").json()
    assert done["deleted"] is True
    assert world.bob.get("/api/v1/groups/ml").status_code == 404
    assert all(m[0] != "ml" for m in _memberships(hub))
    assert world.admin.get("/api/v1/users/bob").status_code == 200  # users outlive groups


def test_members_paginate(world: World) -> None:
    page = world.bob.get("/api/v1/groups/ml/members", params={"limit": 1}).json()
    assert [m["username"] for m in page["items"]] == ["alice"]
    rest = world.bob.get("/api/v1/groups/ml/members", params={"cursor": page["next_cursor"]}).json()
    assert [m["username"] for m in rest["items"]] == ["bob"] and rest["next_cursor"] is None
