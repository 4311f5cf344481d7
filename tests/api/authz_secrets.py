"""Authorization-matrix entries for group secrets (see test_authz_matrix.py).

Members of ``ml`` see secret names; only its group admins (and platform admins) write them.
"""

from __future__ import annotations

from tests.api.authz_setups import Call, Env, Spec, created_iff_allowed, spec

SECRETS = "/api/v1/groups/ml/secrets"


def _fresh(env: Env) -> str:
    return env.fresh("S").upper().replace("-", "_")  # an env-var name


def _made(env: Env, value: str = "s3cret-value") -> str:
    name = _fresh(env)
    env.ok(env.admin.post(SECRETS, json={"name": name, "value": value}))
    return name


def create_secret(env: Env, role: str) -> Call:
    name = _fresh(env)
    return Call(
        json={"name": name, "value": "v"}, verify=created_iff_allowed(env, f"{SECRETS}/{name}")
    )


def existing(env: Env, role: str) -> Call:
    return Call(params={"name": _made(env)})


def stored_value(env: Env, name: str) -> str:
    hub = env.app.state.hub
    with hub.db.read() as s:
        return hub.secrets.values_in(s, hub.quotas.group_id("ml"), [name])[name]


def update_secret(env: Env, role: str) -> Call:
    name = _made(env, value="old")

    def verify(allowed: bool) -> None:
        assert stored_value(env, name) == ("new" if allowed else "old")

    return Call(params={"name": name}, json={"value": "new"}, verify=verify)


def delete_secret(env: Env, role: str) -> Call:
    name = _made(env)
    return Call(
        params={"name": name},
        verify=lambda allowed: created_iff_allowed(env, f"{SECRETS}/{name}")(not allowed),
    )


SECRET_EXPECTED: dict[tuple[str, str], Spec] = {
    ("secrets.list", "GET"): spec("401 404 200 200 200"),
    ("secrets.create", "POST"): spec("401 404 403 201 201", create_secret),
    ("secrets.get", "GET"): spec("401 404 200 200 200", existing),
    ("secrets.update", "PUT"): spec("401 404 403 200 200", update_secret),
    ("secrets.delete", "DELETE"): spec("401 404 403 204 204", delete_secret),
}
