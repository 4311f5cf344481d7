"""Authorization-matrix entries for experiments and runs (see test_authz_matrix.py).

The shared targets belong to the platform admin: experiment ``tracked`` and its run
``tracked`` (a metric, a tag, an artifact). Every member of ``ml`` reads them; changing them
needs their owner or ml's group admin, so the member (bob) gets a 403; outsiders get a 404.
Destructive calls get a fresh run or experiment per caller.
"""

from __future__ import annotations

from typing import Any

from tests.api.authz_setups import Call, Env, Spec, created_iff_allowed, exists_iff_refused, spec

RUNS = "/api/v1/groups/ml/runs"
EXPERIMENTS = "/api/v1/groups/ml/experiments"
READ = "401 404 200 200 200"


def _run(env: Env, name: str) -> str:
    body = {"experiment": "tracked", "name": name, "tags": {"t": "1"}}
    run_id = str(env.ok(env.admin.post(RUNS, json=body))["id"])
    metrics = [{"key": "loss", "steps": [0, 1], "values": [1.0, 0.5]}]
    env.ok(env.admin.post(f"{RUNS}/{run_id}/log-batch", json={"metrics": metrics}), 200)
    upload = f"{RUNS}/{run_id}/artifacts/file"
    env.ok(env.admin.put(upload, params={"path": "model.txt"}, content=b"weights"))
    return run_id


def tracked(env: Env) -> str:
    """The shared run's id, made once per world."""
    if "tracked" not in env.made:
        env.made.add("tracked")
        _run(env, "tracked")
    found = env.ok(env.admin.get(RUNS, params={"filter": "attributes.name = 'tracked'"}), 200)
    return str(found["items"][0]["id"])


def experiment_id(env: Env) -> str:
    tracked(env)
    found = env.ok(env.admin.get(EXPERIMENTS, params={"name": "tracked"}), 200)
    return str(found["items"][0]["id"])


def on_run(json: Any = None, query: dict[str, str] | None = None, **params: str) -> Any:
    def setup(env: Env, role: str) -> Call:
        return Call(params={"run_id": tracked(env), **params}, json=json, query=query)

    return setup


def on_experiment(json: Any = None) -> Any:
    return lambda env, role: Call(params={"experiment_id": experiment_id(env)}, json=json)


def compare(env: Env, role: str) -> Call:
    return Call(query={"ids": tracked(env)})


def create_experiment(env: Env, role: str) -> Call:
    name = env.fresh("exp")
    return Call(
        json={"name": name},
        verify=lambda allowed: _listed(env, EXPERIMENTS, name, allowed),
    )


def _listed(env: Env, path: str, name: str, expected: bool) -> None:
    found = env.ok(env.admin.get(path, params={"name": name}), 200)["items"]
    assert bool(found) is expected, name


def delete_experiment(env: Env, role: str) -> Call:
    name = env.fresh("exp")
    made = env.ok(env.admin.post(EXPERIMENTS, json={"name": name}))
    path = f"{EXPERIMENTS}/{made['id']}"
    return Call(params={"experiment_id": str(made["id"])}, verify=exists_iff_refused(env, path))


def create_run(env: Env, role: str) -> Call:
    name = env.fresh("run")

    def verify(allowed: bool) -> None:
        found = env.ok(env.admin.get(RUNS, params={"filter": f"attributes.name = '{name}'"}), 200)
        assert bool(found["items"]) is allowed

    return Call(json={"experiment": "tracked", "name": name}, verify=verify)


def update_run(env: Env, role: str) -> Call:
    run_id = tracked(env)

    def verify(allowed: bool) -> None:
        notes = env.ok(env.admin.get(f"{RUNS}/{run_id}"), 200)["notes"]
        assert (notes == role) is allowed

    return Call(params={"run_id": run_id}, json={"notes": role}, verify=verify)


def delete_run(env: Env, role: str) -> Call:
    run_id = _run(env, env.fresh("run"))
    return Call(params={"run_id": run_id}, verify=exists_iff_refused(env, f"{RUNS}/{run_id}"))


def log_batch(env: Env, role: str) -> Call:
    run_id, key = tracked(env), f"p-{role}"

    def verify(allowed: bool) -> None:
        params = env.ok(env.admin.get(f"{RUNS}/{run_id}"), 200)["params"]
        assert (key in params) is allowed

    return Call(params={"run_id": run_id}, json={"params": {key: "1"}}, verify=verify)


def untag(env: Env, role: str) -> Call:
    run_id, key = tracked(env), env.fresh("tag")
    env.ok(env.admin.post(f"{RUNS}/{run_id}/log-batch", json={"tags": {key: "x"}}), 200)

    def verify(allowed: bool) -> None:
        tags = env.ok(env.admin.get(f"{RUNS}/{run_id}"), 200)["tags"]
        assert (key in tags) is not allowed

    return Call(params={"run_id": run_id}, query={"key": key}, verify=verify)


def upload(env: Env, role: str) -> Call:
    run_id, path = tracked(env), f"{role}.txt"
    return Call(
        params={"run_id": run_id},
        query={"path": path},
        content=role.encode(),
        headers={"content-type": "application/octet-stream"},
        verify=created_iff_allowed(env, f"{RUNS}/{run_id}/artifacts/file?path={path}"),
    )


TRACKING_EXPECTED: dict[tuple[str, str], Spec] = {
    ("experiments.list", "GET"): spec(READ),
    ("experiments.create", "POST"): spec("401 404 201 201 201", create_experiment),
    ("experiments.get", "GET"): spec(READ, on_experiment()),
    ("experiments.update", "PATCH"): spec(
        "401 404 403 200 200", on_experiment({"description": "changed"})
    ),
    ("experiments.delete", "DELETE"): spec("401 404 403 204 204", delete_experiment),
    ("runs.list", "GET"): spec(READ),
    ("runs.search", "POST"): spec(
        READ, lambda env, role: Call(json={"filter": "metrics.loss < 1"})
    ),
    ("runs.create", "POST"): spec("401 404 201 201 201", create_run),
    ("runs.compare", "GET"): spec(READ, compare),
    ("runs.get", "GET"): spec(READ, on_run()),
    ("runs.model_versions", "GET"): spec(READ, on_run()),
    ("runs.update", "PATCH"): spec("401 404 403 200 200", update_run),
    ("runs.delete", "DELETE"): spec("401 404 403 204 204", delete_run),
    ("runs.log_batch", "POST"): spec("401 404 403 200 200", log_batch),
    ("runs.untag", "DELETE"): spec("401 404 403 204 204", untag),
    ("runs.metric_history", "GET"): spec(READ, on_run(query={"key": "loss"})),
    ("runs.artifacts", "GET"): spec(READ, on_run()),
    ("runs.upload_artifact", "PUT"): spec("401 404 403 201 201", upload),
    ("runs.download_artifact", "GET"): spec(READ, on_run(query={"path": "model.txt"})),
}
