"""The reserve/release service that admission of jobs, deployments and uploads calls."""

from __future__ import annotations

import threading

import pytest

from atrium.server.domain.errors import InvalidInput, NotFound, QuotaExceeded
from atrium.server.services.quotas import Request
from tests.conftest import World


def _ids(hub) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    from atrium.server.store import users

    with hub.db.read() as s:
        bob = users.by_username(s, "bob").id
        alice = users.by_username(s, "alice").id
    return hub.quotas.group_id("ml"), bob, alice


def test_reserve_within_limits_and_release(world: World, hub) -> None:  # type: ignore[no-untyped-def]
    world.admin.patch(
        "/api/v1/groups/ml/quota", json={"cpu": 4, "memory": "8Gi", "running_jobs": 2}
    )
    group, bob, _ = _ids(hub)
    amounts = {"cpu": 2, "memory": 4 * 2**30, "running_jobs": 1}
    first = hub.quotas.reserve(Request(group, bob, "job:1", "train", amounts))
    hub.quotas.reserve(Request(group, bob, "job:2", "train", amounts))
    with pytest.raises(QuotaExceeded) as exc:
        hub.quotas.reserve(Request(group, bob, "job:3", "train", amounts))
    assert exc.value.details["scope"] == "group"
    usage = world.bob.get("/api/v1/groups/ml/usage").json()["resources"]
    assert usage["cpu"] == {"used": 4, "limit": 4} and usage["running_jobs"]["used"] == 2
    assert hub.quotas.release(first, "succeeded") is True
    assert hub.quotas.release(first, "again") is False  # idempotent
    hub.quotas.reserve(Request(group, bob, "job:3", "train", amounts))
    assert world.bob.get("/api/v1/groups/ml/usage").json()["resources"]["cpu"]["used"] == 4


def test_user_quota_does_not_block_others(world: World, hub) -> None:  # type: ignore[no-untyped-def]
    world.alice.patch("/api/v1/groups/ml/members/bob/quota", json={"gpu": 1})
    group, bob, alice = _ids(hub)
    hub.quotas.reserve(Request(group, bob, "job:1", "gpu", {"gpu": 1}))
    with pytest.raises(QuotaExceeded) as exc:
        hub.quotas.reserve(Request(group, bob, "job:2", "gpu", {"gpu": 1}))
    assert exc.value.details["scope"] == "user"
    hub.quotas.reserve(Request(group, alice, "job:3", "gpu", {"gpu": 5}))
    mine = world.bob.get("/api/v1/groups/ml/usage", params={"user": "bob"}).json()["resources"]
    assert mine["gpu"] == {"used": 1, "limit": 1}


def test_bad_reservations(world: World, hub) -> None:  # type: ignore[no-untyped-def]
    group, bob, _ = _ids(hub)
    with pytest.raises(InvalidInput):
        hub.quotas.reserve(Request(group, bob, "job:1", "x", {"bogus": 1}))
    with pytest.raises(InvalidInput):
        hub.quotas.reserve(Request(group, bob, "job:1", "x", {"cpu": -1}))
    with pytest.raises(NotFound):
        hub.quotas.release("rsv_missing", "x")


def test_reserve_joins_the_callers_transaction(world: World, hub) -> None:  # type: ignore[no-untyped-def]
    """If the caller's work fails after reserving, the reservation rolls back with it."""
    group, bob, _ = _ids(hub)
    with pytest.raises(RuntimeError), hub.db.write() as s:
        hub.quotas.reserve_in(s, Request(group, bob, "job:1", "x", {"cpu": 1}))
        raise RuntimeError("launch failed")
    assert world.bob.get("/api/v1/groups/ml/usage").json()["resources"]["cpu"]["used"] == 0


@pytest.mark.parametrize("attempts", [8])
def test_racing_for_the_last_unit(world: World, hub, attempts: int) -> None:  # type: ignore[no-untyped-def]
    """Many threads race for one free GPU: exactly one wins, on SQLite and on PostgreSQL."""
    world.admin.patch("/api/v1/groups/ml/quota", json={"gpu": 2})
    group, bob, alice = _ids(hub)
    hub.quotas.reserve(Request(group, alice, "job:0", "warm", {"gpu": 1}))
    barrier = threading.Barrier(attempts)
    won: list[str] = []
    lost: list[Exception] = []

    def attempt(i: int) -> None:
        barrier.wait()
        try:
            won.append(hub.quotas.reserve(Request(group, bob, f"job:{i + 1}", "race", {"gpu": 1})))
        except QuotaExceeded as exc:
            lost.append(exc)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(attempts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and len(lost) == attempts - 1
    usage = world.bob.get("/api/v1/groups/ml/usage").json()["resources"]["gpu"]
    assert usage == {"used": 2, "limit": 2}
