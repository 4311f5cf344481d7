"""Authorization-matrix entries for the model registry (see test_authz_matrix.py).

The shared target belongs to the platform admin: model ``shared`` with ready version 1 (file
``model.bin``) and alias ``production`` on it. Every member of ``ml`` reads it and may add
versions; changing it needs its owner or ml's group admin, so the member (bob) gets a 403;
outsiders get a 404. Destructive calls get a fresh model, version or alias per caller.
"""

from __future__ import annotations

from typing import Any

from tests.api.authz_setups import Call, Env, Spec, exists_iff_refused, spec

MODELS = "/api/v1/groups/ml/models"
SHARED = f"{MODELS}/shared"
READ = "401 404 200 200 200"
CHANGE = "401 404 403 200 200"
REMOVE = "401 404 403 204 204"


def _version(env: Env, name: str = "shared", finalize: bool = True) -> int:
    """A version of the admin's, with the file ``model.bin``; ready unless ``finalize`` is off."""
    made = env.ok(env.admin.post(f"{MODELS}/{name}/versions", json={}))
    base = f"{MODELS}/{name}/versions/{made['version']}"
    env.ok(env.admin.put(f"{base}/files/content", params={"path": "model.bin"}, content=b"m"))
    if finalize:
        env.ok(env.admin.post(f"{base}/finalize"), 200)
    return int(made["version"])


def shared(env: Env) -> str:
    """Model ``shared``, made once per world."""
    if "model:shared" not in env.made:
        env.made.add("model:shared")
        env.ok(env.admin.post(MODELS, json={"name": "shared"}))
        _version(env)
        env.ok(env.admin.put(f"{SHARED}/aliases/production", json={"version": 1}), 200)
    return "shared"


def on_model(json: Any = None, query: dict[str, str] | None = None, **params: str) -> Any:
    return lambda env, role: Call(params={"name": shared(env), **params}, json=json, query=query)


def on_version(query: dict[str, str] | None = None) -> Any:
    return lambda env, role: Call(params={"name": shared(env), "version": "1"}, query=query)


def resolve(env: Env, role: str) -> Call:
    shared(env)
    return Call(query={"ref": "models:/shared@production"})


def create_model(env: Env, role: str) -> Call:
    name = env.fresh("model")
    return Call(json={"name": name}, verify=_made(env, f"{MODELS}/{name}"))


def _made(env: Env, path: str) -> Any:
    return lambda allowed: exists_iff_refused(env, path)(not allowed)


def update_model(env: Env, role: str) -> Call:
    def verify(allowed: bool) -> None:
        assert (env.ok(env.admin.get(SHARED), 200)["description"] == role) is allowed

    return Call(params={"name": shared(env)}, json={"description": role}, verify=verify)


def delete_model(env: Env, role: str) -> Call:
    name = env.fresh("model")
    env.ok(env.admin.post(MODELS, json={"name": name}))
    return Call(params={"name": name}, verify=exists_iff_refused(env, f"{MODELS}/{name}"))


def tag_model(env: Env, role: str) -> Call:
    def verify(allowed: bool) -> None:
        assert (role in env.ok(env.admin.get(SHARED), 200)["tags"]) is allowed

    return Call(params={"name": shared(env)}, json={"key": role, "value": "1"}, verify=verify)


def untag_model(env: Env, role: str) -> Call:
    shared(env)
    key = env.fresh("tag")
    env.ok(env.admin.put(f"{SHARED}/tags", json={"key": key, "value": "x"}), 204)

    def verify(allowed: bool) -> None:
        assert (key in env.ok(env.admin.get(SHARED), 200)["tags"]) is not allowed

    return Call(params={"name": "shared"}, query={"key": key}, verify=verify)


def create_version(env: Env, role: str) -> Call:
    marker = env.fresh("made-by")

    def verify(allowed: bool) -> None:
        items = env.ok(env.admin.get(f"{SHARED}/versions", params={"limit": 500}), 200)["items"]
        assert any(v["description"] == marker for v in items) is allowed

    return Call(params={"name": shared(env)}, json={"description": marker}, verify=verify)


def update_version(env: Env, role: str) -> Call:
    def verify(allowed: bool) -> None:
        assert (env.ok(env.admin.get(f"{SHARED}/versions/1"), 200)["description"] == role) is (
            allowed
        )

    params = {"name": shared(env), "version": "1"}
    return Call(params=params, json={"description": role}, verify=verify)


def delete_version(env: Env, role: str) -> Call:
    shared(env)
    number = str(_version(env))
    path = f"{SHARED}/versions/{number}"
    return Call(params={"name": "shared", "version": number}, verify=exists_iff_refused(env, path))


def tag_version(env: Env, role: str) -> Call:
    def verify(allowed: bool) -> None:
        tags = env.ok(env.admin.get(f"{SHARED}/versions/1"), 200)["tags"]
        assert (role in tags) is allowed

    params = {"name": shared(env), "version": "1"}
    return Call(params=params, json={"key": role, "value": "1"}, verify=verify)


def untag_version(env: Env, role: str) -> Call:
    shared(env)
    key = env.fresh("tag")
    env.ok(env.admin.put(f"{SHARED}/versions/1/tags", json={"key": key, "value": "x"}), 204)

    def verify(allowed: bool) -> None:
        tags = env.ok(env.admin.get(f"{SHARED}/versions/1"), 200)["tags"]
        assert (key in tags) is not allowed

    return Call(params={"name": "shared", "version": "1"}, query={"key": key}, verify=verify)


def upload_file(env: Env, role: str) -> Call:
    shared(env)
    number = str(_version(env, finalize=False))
    path = f"{role}.bin"
    content = f"{SHARED}/versions/{number}/files/content?path={path}"
    return Call(
        params={"name": "shared", "version": number},
        query={"path": path},
        content=role.encode(),
        headers={"content-type": "application/octet-stream"},
        verify=_made(env, content),
    )


def finalize(env: Env, role: str) -> Call:
    shared(env)
    number = str(_version(env, finalize=False))

    def verify(allowed: bool) -> None:
        status = env.ok(env.admin.get(f"{SHARED}/versions/{number}"), 200)["status"]
        assert (status == "ready") is allowed

    return Call(params={"name": "shared", "version": number}, verify=verify)


def set_alias(env: Env, role: str) -> Call:
    alias = f"a-{role}"
    params = {"name": shared(env), "alias": alias}
    return Call(params=params, json={"version": 1}, verify=_made(env, f"{SHARED}/aliases/{alias}"))


def delete_alias(env: Env, role: str) -> Call:
    alias = env.fresh("alias")
    shared(env)
    env.ok(env.admin.put(f"{SHARED}/aliases/{alias}", json={"version": 1}), 200)
    path = f"{SHARED}/aliases/{alias}"
    return Call(params={"name": "shared", "alias": alias}, verify=exists_iff_refused(env, path))


MODEL_EXPECTED: dict[tuple[str, str], Spec] = {
    ("models.list", "GET"): spec(READ),
    ("models.create", "POST"): spec("401 404 201 201 201", create_model),
    ("models.resolve", "GET"): spec(READ, resolve),
    ("models.get", "GET"): spec(READ, on_model()),
    ("models.update", "PATCH"): spec(CHANGE, update_model),
    ("models.delete", "DELETE"): spec(REMOVE, delete_model),
    ("models.tag", "PUT"): spec(REMOVE, tag_model),
    ("models.untag", "DELETE"): spec(REMOVE, untag_model),
    ("models.versions", "GET"): spec(READ, on_model()),
    ("models.create_version", "POST"): spec("401 404 201 201 201", create_version),
    ("models.get_version", "GET"): spec(READ, on_version()),
    ("models.update_version", "PATCH"): spec(CHANGE, update_version),
    ("models.delete_version", "DELETE"): spec(REMOVE, delete_version),
    ("models.tag_version", "PUT"): spec(REMOVE, tag_version),
    ("models.untag_version", "DELETE"): spec(REMOVE, untag_version),
    ("models.files", "GET"): spec(READ, on_version()),
    ("models.download_file", "GET"): spec(READ, on_version(query={"path": "model.bin"})),
    ("models.upload_file", "PUT"): spec("401 404 403 201 201", upload_file),
    ("models.finalize", "POST"): spec(CHANGE, finalize),
    ("models.lineage", "GET"): spec(READ, on_version()),
    ("models.get_alias", "GET"): spec(READ, on_model(alias="production")),
    ("models.set_alias", "PUT"): spec(CHANGE, set_alias),
    ("models.delete_alias", "DELETE"): spec(REMOVE, delete_alias),
    ("models.history", "GET"): spec(READ, on_model()),
}
