"""``client.schedules`` against a real server over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from atrium.sdk import Client, Conflict, Forbidden, NotFound, ValidationError
from atrium.sdk.resources.schedules import job_template

Unique = Callable[[str], str]


@pytest.fixture
def group_with_member(admin_client: Client, unique: Unique, live_server: Any) -> tuple[str, Client]:
    group, user = unique("g"), unique("u")
    admin_client.groups.create(group)
    admin_client.users.create(user, password="member-pass-1")
    admin_client.members.add(group, user)
    member = Client(live_server.url)
    member.auth.login(user, "member-pass-1")
    return group, member


def test_lifecycle(group_with_member: tuple[str, Client]) -> None:
    group, member = group_with_member
    job = job_template(["python", "-c", "print(1)"], name="retrain", env={"EPOCHS": "2"})
    made = member.schedules.create(group, "nightly", job, cron="0 2 * * *", timezone="Asia/Tokyo")
    assert made.status == "active" and made.owner == member.me().username
    assert made.job["command"] == ["python", "-c", "print(1)"] and made.job["name"] == "retrain"
    assert [t.utcoffset() for t in made.next_runs] == [made.next_runs[0].utcoffset()] * 5
    assert all(t.hour == 2 for t in made.next_runs)

    assert [s.name for s in member.schedules.iter_all(group)] == ["nightly"]
    assert member.schedules.list(group, enabled=False).items == []
    assert len(member.schedules.get(group, "nightly", next_runs=8).next_runs) == 8
    monthly = member.schedules.update(group, "nightly", preset="monthly")
    assert monthly.cron == "0 0 1 * *" and all(t.day == 1 for t in monthly.next_runs)
    assert member.schedules.disable(group, "nightly").next_runs == []
    assert member.schedules.enable(group, "nightly").status == "active"

    run = member.schedules.trigger(group, "nightly")
    assert run.outcome == "submitted" and run.job_id is not None
    assert [r.id for r in member.schedules.iter_history(group, "nightly")] == [run.id]
    assert member.schedules.history(group, "nightly", limit=1).items[0].job_id == run.job_id
    assert member.schedules.get(group, "nightly").last_run == run

    member.schedules.delete(group, "nightly")
    with pytest.raises(NotFound):
        member.schedules.get(group, "nightly")


def test_typed_errors(group_with_member: tuple[str, Client], admin_client: Client) -> None:
    group, member = group_with_member
    job = job_template("true")
    with pytest.raises(ValidationError, match="bad minute"):
        member.schedules.create(group, "bad", job, cron="99 * * * *")
    admin_client.schedules.create(group, "admins", job, preset="daily")
    with pytest.raises(Conflict):
        member.schedules.create(group, "admins", job, preset="daily")
    with pytest.raises(Forbidden):
        member.schedules.disable(group, "admins")  # someone else's schedule
    with pytest.raises(NotFound):
        member.schedules.get(group, "nope")
