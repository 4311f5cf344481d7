"""Authorization-matrix entries for notification channels (see test_authz_matrix.py).

Channels are private like API tokens: every caller manages their own, and another user's
channel (here, bob's) is a 404 to everyone else, platform admins included.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.api.authz_setups import Call, Env, Spec, body, spec

CHANNELS = "/api/v1/me/notification-channels"
# Port 9 (discard) on loopback: nothing listens, so a test event fails fast and stays local.
WEBHOOK = {"kind": "webhook", "url": "http://127.0.0.1:9/atrium"}
OWNER_ONLY = "401 404 200 404 404"

NOTIFICATION_OWNER_ONLY = {
    "notifications.get",
    "notifications.update",
    "notifications.delete",
    "notifications.rotate_secret",
    "notifications.test",
    "notifications.deliveries",
}


def _bobs_channel(env: Env) -> dict[str, str]:
    return env.ok(env.world.bob.post(CHANNELS, json=WEBHOOK))  # type: ignore[no-any-return]


def _bobs_view(env: Env, channel_id: str) -> dict[str, str]:
    return env.ok(env.world.bob.get(f"{CHANNELS}/{channel_id}"), 200)  # type: ignore[no-any-return]


def bob_channel(env: Env, role: str) -> Call:
    return Call(params={"channel_id": _bobs_channel(env)["id"]})


def _changes(field: str, json: object = None) -> Callable[[Env, str], Call]:
    """A call on a fresh channel of bob's that must change ``field`` exactly when allowed."""

    def setup(env: Env, role: str) -> Call:
        made = _bobs_channel(env)

        def verify(allowed: bool) -> None:
            changed = _bobs_view(env, made["id"])[field] != made[field]
            assert changed is allowed, (role, field)

        return Call(params={"channel_id": made["id"]}, json=json, verify=verify)

    return setup


def delete_bob_channel(env: Env, role: str) -> Call:
    made = _bobs_channel(env)

    def verify(allowed: bool) -> None:
        status = env.world.bob.get(f"{CHANNELS}/{made['id']}").status_code
        assert status == (404 if allowed else 200), role

    return Call(params={"channel_id": made["id"]}, verify=verify)


NOTIFICATION_EXPECTED: dict[tuple[str, str], Spec] = {
    ("notifications.list", "GET"): spec("401 200 200 200 200"),
    ("notifications.create", "POST"): spec("401 201 201 201 201", body(WEBHOOK)),
    ("notifications.get", "GET"): spec(OWNER_ONLY, bob_channel),
    ("notifications.update", "PATCH"): spec(OWNER_ONLY, _changes("enabled", {"enabled": False})),
    ("notifications.delete", "DELETE"): spec("401 404 204 404 404", delete_bob_channel),
    ("notifications.rotate_secret", "POST"): spec(OWNER_ONLY, _changes("secret_prefix")),
    ("notifications.test", "POST"): spec(OWNER_ONLY, bob_channel),
    ("notifications.deliveries", "GET"): spec(OWNER_ONLY, bob_channel),
}
