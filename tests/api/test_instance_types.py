"""Instance types: global or granted, visible only where they may be used."""

from __future__ import annotations

from tests.conftest import World


def test_fresh_hub_has_cpu_1(world: World) -> None:
    types = world.bob.get("/api/v1/instance-types").json()["items"]
    assert [(t["name"], t["cpu"], t["memory"], t["is_global"]) for t in types] == [
        ("cpu-1", 1.0, 2 * 2**30, True)
    ]


def test_granted_type_visible_only_to_its_groups(world: World) -> None:
    r = world.admin.post(
        "/api/v1/instance-types",
        json={
            "name": "gpu-a",
            "cpu": 8,
            "memory": "32Gi",
            "gpu": 1,
            "is_global": False,
            "groups": ["bio"],
        },
    )
    assert r.status_code == 201 and r.json()["memory"] == 32 * 2**30
    assert world.carol.get("/api/v1/instance-types/gpu-a").json()["groups"] == ["bio"]
    assert world.bob.get("/api/v1/instance-types/gpu-a").status_code == 404
    assert "gpu-a" not in {
        t["name"] for t in world.bob.get("/api/v1/instance-types").json()["items"]
    }
    usable = world.carol.get("/api/v1/instance-types", params={"group": "bio"}).json()["items"]
    assert {t["name"] for t in usable} == {"cpu-1", "gpu-a"}
    assert world.bob.get("/api/v1/instance-types", params={"group": "bio"}).status_code == 404


def test_grant_lists_hide_other_groups(world: World) -> None:
    world.admin.post(
        "/api/v1/instance-types",
        json={
            "name": "shared",
            "cpu": 2,
            "memory": "4Gi",
            "is_global": False,
            "groups": ["ml", "bio"],
        },
    )
    assert world.bob.get("/api/v1/instance-types/shared").json()["groups"] == ["ml"]
    assert world.admin.get("/api/v1/instance-types/shared").json()["groups"] == ["bio", "ml"]


def test_only_admins_manage_types(world: World) -> None:
    body = {"name": "big", "cpu": 64, "memory": "256Gi"}
    assert world.alice.post("/api/v1/instance-types", json=body).status_code == 403
    assert world.alice.delete("/api/v1/instance-types/cpu-1").status_code == 403
    updated = world.admin.patch("/api/v1/instance-types/cpu-1", json={"cpu": 2, "memory": "4Gi"})
    assert updated.json()["cpu"] == 2 and updated.json()["memory"] == 4 * 2**30
    assert world.admin.delete("/api/v1/instance-types/cpu-1").status_code == 204
    assert world.admin.get("/api/v1/instance-types/cpu-1").status_code == 404


def test_bad_instance_types(world: World) -> None:
    bad = [
        {"name": "x", "cpu": 0, "memory": "1Gi"},
        {"name": "x", "cpu": 1, "memory": "lots"},
        {"name": "x", "cpu": 1, "memory": -5},
        {"name": "../x", "cpu": 1, "memory": "1Gi"},
        {"name": "x", "cpu": 1, "memory": "1Gi", "groups": ["nope"]},
    ]
    for body in bad:
        r = world.admin.post("/api/v1/instance-types", json=body)
        assert r.status_code in (404, 422), (body, r.text)
    names = {t["name"] for t in world.admin.get("/api/v1/instance-types").json()["items"]}
    assert names == {"cpu-1"}
    dup = world.admin.post("/api/v1/instance-types", json={"name": "cpu-1", "cpu": 1, "memory": 1})
    assert dup.status_code == 409
