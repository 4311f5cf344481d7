"""Schedules over the REST API: create, read, change, enable, disable, delete; bad input."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from atrium.server.store.tables import AuditEventRow, ScheduleRow
from tests.conftest import FakeClock, World

ML = "/api/v1/groups/ml/schedules"
JOB = {"command": "python train.py", "instance_type": "cpu-1"}


def nightly(name: str = "nightly", **extra: Any) -> dict[str, Any]:
    return {"name": name, "cron": "0 2 * * *", "timezone": "Europe/Paris", "job": JOB, **extra}


def made(client: Any, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post(ML, json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def schedule_count(hub: Any) -> int:
    with hub.db.read() as s:
        return len(s.scalars(select(ScheduleRow)).all())


def test_create_shows_next_runs_in_local_time(world: World, hub: Any) -> None:
    """The clock says 2026-11-27 12:00 UTC: the next 02:00 in Paris is tomorrow, 01:00 UTC."""
    s = made(world.bob, nightly())
    assert s["status"] == "active" and s["enabled"] is True and s["problem"] is None
    assert s["owner"] == "bob" and s["created_by"] == "bob" and s["group"] == "ml"
    assert s["cron"] == "0 2 * * *" and s["preset"] is None
    assert s["next_runs"][:2] == ["2026-11-28T02:00:00+01:00", "2026-11-29T02:00:00+01:00"]
    assert len(s["next_runs"]) == 5 and s["last_run"] is None
    assert s["job"]["command"] == "python train.py" and s["job"]["max_retries"] == 0

    got = world.alice.get(f"{ML}/nightly", params={"next": 12}).json()
    assert len(got["next_runs"]) == 12 and got["next_runs"][0] == s["next_runs"][0]
    assert [i["name"] for i in world.bob.get(ML).json()["items"]] == ["nightly"]
    with hub.db.read() as session:
        event = session.scalar(
            select(AuditEventRow).where(AuditEventRow.action == "schedule.create")
        )
        assert event is not None and event.actor == "bob" and event.resource_id == "nightly"


def test_presets(world: World) -> None:
    weekly = made(world.bob, {"name": "w", "preset": "weekly", "job": JOB})
    assert weekly["cron"] == "0 0 * * 0" and weekly["preset"] == "weekly"
    assert weekly["timezone"] == "UTC"
    assert weekly["next_runs"][0] == "2026-11-29T00:00:00Z"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"cron": "61 2 * * *"}, "bad minute"),
        ({"cron": "0 2 * * * *"}, "5 fields"),
        ({"cron": "@daily"}, "5 fields"),
        ({"timezone": "Mars/Olympus"}, "unknown timezone"),
        ({"timezone": "../etc/passwd"}, "timezone"),
        ({"preset": "daily"}, "either cron or preset"),
        ({"cron": None}, "either cron or preset"),
        ({"cron": None, "preset": "fortnightly"}, "preset"),
        ({"name": "Bad Name"}, "name"),
        ({"surprise": 1}, "surprise"),
        ({"job": {**JOB, "instance_type": "gpu-8"}}, "gpu-8"),
        ({"job": {**JOB, "secrets": ["NOPE"]}}, "NOPE"),
        ({"job": {**JOB, "inputs": {"DATA": "ml/missing@v1"}}}, "missing"),
        ({"job": {**JOB, "command": ""}}, "command"),
        ({"job": {**JOB, "env": {"ATRIUM_TOKEN": "x"}}}, "ATRIUM"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    world: World, hub: Any, change: dict[str, Any], message: str
) -> None:
    body = {k: v for k, v in {**nightly(), **change}.items() if v is not None}
    r = world.bob.post(ML, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "validation_error"
    assert message in r.text
    assert schedule_count(hub) == 0


def test_names_are_unique_per_group(world: World) -> None:
    made(world.bob, nightly())
    dup = world.alice.post(ML, json=nightly())
    assert dup.status_code == 409 and "already exists" in dup.json()["error"]["message"]
    r = world.carol.post("/api/v1/groups/bio/schedules", json=nightly())
    assert r.status_code == 201  # another group, another namespace


def test_update_retimes_and_a_new_job_changes_the_owner(world: World, clock: FakeClock) -> None:
    made(world.bob, nightly())
    r = world.bob.patch(
        f"{ML}/nightly", json={"cron": "30 4 * * 1-5", "timezone": "America/New_York"}
    )
    assert r.status_code == 200, r.text
    s = r.json()
    assert (s["cron"], s["timezone"], s["owner"]) == ("30 4 * * 1-5", "America/New_York", "bob")
    assert s["next_runs"][0] == "2026-11-30T04:30:00-05:00"  # Monday in New York

    to_preset = world.bob.patch(f"{ML}/nightly", json={"preset": "hourly"}).json()
    assert (to_preset["preset"], to_preset["cron"]) == ("hourly", "0 * * * *")
    assert to_preset["timezone"] == "America/New_York"

    new_job = {**JOB, "command": "python train.py --epochs 3"}
    taken = world.alice.patch(f"{ML}/nightly", json={"job": new_job}).json()
    assert taken["owner"] == "alice" and taken["updated_by"] == "alice"
    assert taken["job"]["command"] == "python train.py --epochs 3"
    assert taken["next_runs"] == to_preset["next_runs"]  # the timing did not change


def test_bad_update_changes_nothing(world: World) -> None:
    before = made(world.bob, nightly())
    for body in (
        {"cron": "0 25 * * *"},
        {"cron": "0 2 * * *", "preset": "daily"},
        {"timezone": "Nowhere/Land"},
        {"job": {**JOB, "instance_type": "gpu-8"}},
        {"enabled": "sometimes"},
    ):
        r = world.bob.patch(f"{ML}/nightly", json=body)
        assert r.status_code == 422, (body, r.text)
    after = world.bob.get(f"{ML}/nightly").json()
    assert after == before


def test_disable_and_enable(world: World, clock: FakeClock) -> None:
    made(world.bob, nightly())
    off = world.bob.post(f"{ML}/nightly/disable").json()
    assert off["enabled"] is False and off["status"] == "disabled" and off["next_runs"] == []
    assert [s["name"] for s in world.bob.get(ML, params={"enabled": "false"}).json()["items"]] == [
        "nightly"
    ]
    assert world.bob.get(ML, params={"enabled": "true"}).json()["items"] == []
    clock.advance(days=3)  # 2026-11-30 12:00 UTC
    on = world.bob.post(f"{ML}/nightly/enable").json()
    assert on["status"] == "active" and on["next_runs"][0] == "2026-12-01T02:00:00+01:00"
    created_disabled = made(world.bob, nightly("later", enabled=False))
    assert created_disabled["status"] == "disabled" and created_disabled["next_runs"] == []


def test_members_manage_their_own_admins_everyones(world: World, app: Any) -> None:
    from tests.conftest import login

    world.admin.post("/api/v1/users", json={"username": "erin", "password": "erin-pass-123"})
    world.admin.post("/api/v1/groups/ml/members", json={"username": "erin", "role": "member"})
    erin = login(app, "erin", "erin-pass-123")
    made(world.bob, nightly())
    assert erin.get(f"{ML}/nightly").status_code == 200  # members see every schedule
    for method, path in (
        ("PATCH", f"{ML}/nightly"),
        ("POST", f"{ML}/nightly/disable"),
        ("POST", f"{ML}/nightly/trigger"),
        ("DELETE", f"{ML}/nightly"),
    ):
        body = {"cron": "0 3 * * *"} if method == "PATCH" else None
        r = erin.request(method, path, json=body)
        assert r.status_code == 403, (method, path, r.text)
        assert "owner or a group admin" in r.json()["error"]["message"]
    assert world.carol.get(f"{ML}/nightly").status_code == 404
    assert world.dave.delete(f"{ML}/nightly").status_code == 404
    assert world.alice.delete(f"{ML}/nightly").status_code == 204
    assert world.bob.get(f"{ML}/nightly").status_code == 404


def test_deleting_the_group_deletes_its_schedules(world: World, hub: Any) -> None:
    made(world.bob, nightly())
    assert world.carol.post("/api/v1/groups/bio/schedules", json=nightly()).status_code == 201
    assert schedule_count(hub) == 2
    assert world.admin.delete("/api/v1/groups/bio").status_code == 200
    assert schedule_count(hub) == 1
