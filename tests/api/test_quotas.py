"""Group and member quotas over the API, and usage."""

from __future__ import annotations

from tests.conftest import World

UNLIMITED = {
    "cpu": None,
    "memory": None,
    "gpu": None,
    "running_jobs": None,
    "deployments": None,
    "storage_bytes": None,
}


def test_quota_defaults_to_unlimited(world: World) -> None:
    assert world.bob.get("/api/v1/groups/ml/quota").json() == UNLIMITED
    usage = world.bob.get("/api/v1/groups/ml/usage").json()
    assert usage["resources"]["cpu"] == {"used": 0, "limit": None}


def test_admin_sets_group_quota_with_units(world: World) -> None:
    body = {
        "cpu": 4,
        "memory": "16Gi",
        "gpu": 1,
        "running_jobs": 10,
        "deployments": 2,
        "storage_bytes": 10737418240,
    }
    r = world.admin.patch("/api/v1/groups/ml/quota", json=body)
    assert r.status_code == 200
    assert r.json() == {**body, "cpu": 4.0, "memory": 17179869184}
    partial = world.admin.patch("/api/v1/groups/ml/quota", json={"gpu": None, "cpu": 8})
    assert partial.json()["gpu"] is None and partial.json()["cpu"] == 8
    assert partial.json()["memory"] == 17179869184  # untouched fields stay
    usage = world.bob.get("/api/v1/groups/ml/usage").json()["resources"]
    assert usage["memory"] == {"used": 0, "limit": 17179869184}


def test_group_admin_cannot_raise_own_group_quota(world: World) -> None:
    r = world.alice.patch("/api/v1/groups/ml/quota", json={"cpu": 1000})
    assert r.status_code == 403
    assert world.alice.get("/api/v1/groups/ml/quota").json()["cpu"] is None


def test_member_quota_within_group_quota(world: World) -> None:
    world.admin.patch("/api/v1/groups/ml/quota", json={"cpu": 4, "memory": "16Gi"})
    ok = world.alice.patch("/api/v1/groups/ml/members/bob/quota", json={"cpu": 2, "memory": "4Gi"})
    assert ok.status_code == 200 and ok.json()["memory"] == 4 * 2**30
    over = world.alice.patch("/api/v1/groups/ml/members/bob/quota", json={"cpu": 5})
    assert over.status_code == 409 and "cpu" in over.json()["error"]["message"]
    assert world.bob.get("/api/v1/groups/ml/members/bob/quota").json()["cpu"] == 2
    # Lowering the group quota under an existing member quota is refused too.
    lower = world.admin.patch("/api/v1/groups/ml/quota", json={"cpu": 1})
    assert lower.status_code == 409
    assert world.admin.get("/api/v1/groups/ml/quota").json()["cpu"] == 4


def test_member_quota_rules(world: World) -> None:
    assert (
        world.bob.patch("/api/v1/groups/ml/members/bob/quota", json={"cpu": 1}).status_code == 403
    )
    assert (
        world.carol.patch("/api/v1/groups/ml/members/bob/quota", json={"cpu": 1}).status_code == 404
    )
    assert (
        world.alice.patch("/api/v1/groups/ml/members/carol/quota", json={"cpu": 1}).status_code
        == 404
    )
    assert world.alice.get("/api/v1/groups/ml/members/bob/quota").json() == UNLIMITED


def test_bad_quota_input_changes_nothing(world: World) -> None:
    for body in (
        {"cpu": -1},
        {"memory": "16 lots"},
        {"gpu": "x"},
        {"memory": True},
        {"disk": 5},
        {"running_jobs": 1.5},
        {"storage_bytes": 2**63},  # beyond a signed 64-bit column
        {"memory": "9000Pi"},
    ):
        r = world.admin.patch("/api/v1/groups/ml/quota", json=body)
        assert r.status_code == 422, (body, r.text)
    assert world.admin.get("/api/v1/groups/ml/quota").json() == UNLIMITED
