"""Authorization-matrix entries for schedules (see test_authz_matrix.py).

Members of ``ml`` see every schedule and create their own; changing one needs its owner or a
group admin. Targets are made fresh per caller by the platform admin, so the member (bob) is
never the owner here: his 403s are the "someone else's schedule" case.
"""

from __future__ import annotations

from typing import Any

from tests.api.authz_setups import Call, Env, Spec, created_iff_allowed, spec

SCHEDULES = "/api/v1/groups/ml/schedules"
JOB = {"command": "true"}


def _made(env: Env, enabled: bool = True) -> str:
    name = env.fresh("sched")
    body = {"name": name, "cron": "0 2 * * *", "job": JOB, "enabled": enabled}
    env.ok(env.admin.post(SCHEDULES, json=body))
    return name


def _field(env: Env, name: str, field: str) -> Any:
    return env.ok(env.admin.get(f"{SCHEDULES}/{name}"), 200)[field]


def create_schedule(env: Env, role: str) -> Call:
    name = env.fresh("sched")
    return Call(
        json={"name": name, "preset": "daily", "job": JOB},
        verify=created_iff_allowed(env, f"{SCHEDULES}/{name}"),
    )


def existing(env: Env, role: str) -> Call:
    return Call(params={"name": _made(env)})


def update_schedule(env: Env, role: str) -> Call:
    name = _made(env)

    def verify(allowed: bool) -> None:
        assert _field(env, name, "cron") == ("0 3 * * *" if allowed else "0 2 * * *")

    return Call(params={"name": name}, json={"cron": "0 3 * * *"}, verify=verify)


def switch(enable: bool) -> Any:
    def setup(env: Env, role: str) -> Call:
        name = _made(env, enabled=not enable)

        def verify(allowed: bool) -> None:
            assert _field(env, name, "enabled") is (enable if allowed else not enable)

        return Call(params={"name": name}, verify=verify)

    return setup


def trigger_schedule(env: Env, role: str) -> Call:
    name = _made(env)

    def verify(allowed: bool) -> None:
        runs = env.ok(env.admin.get(f"{SCHEDULES}/{name}/history"), 200)["items"]
        assert len(runs) == (1 if allowed else 0)

    return Call(params={"name": name}, verify=verify)


def delete_schedule(env: Env, role: str) -> Call:
    name = _made(env)
    return Call(
        params={"name": name},
        verify=lambda allowed: created_iff_allowed(env, f"{SCHEDULES}/{name}")(not allowed),
    )


SCHEDULE_EXPECTED: dict[tuple[str, str], Spec] = {
    ("schedules.list", "GET"): spec("401 404 200 200 200"),
    ("schedules.create", "POST"): spec("401 404 201 201 201", create_schedule),
    ("schedules.get", "GET"): spec("401 404 200 200 200", existing),
    ("schedules.history", "GET"): spec("401 404 200 200 200", existing),
    ("schedules.update", "PATCH"): spec("401 404 403 200 200", update_schedule),
    ("schedules.enable", "POST"): spec("401 404 403 200 200", switch(True)),
    ("schedules.disable", "POST"): spec("401 404 403 200 200", switch(False)),
    ("schedules.trigger", "POST"): spec("401 404 403 201 201", trigger_schedule),
    ("schedules.delete", "DELETE"): spec("401 404 403 204 204", delete_schedule),
}
