"""Authorization-matrix entries for the MLflow REST API at /mlflow/{group} (see
test_authz_matrix.py).

The targets are authz_tracking's: experiment ``tracked`` and its run (owned by the platform
admin), so the member (bob) reads them and gets MLflow's PERMISSION_DENIED (403) on changes;
outsiders get RESOURCE_DOES_NOT_EXIST (404). Destructive calls get fresh targets per caller.
"""

from __future__ import annotations

from typing import Any

from tests.api.authz_setups import (
    Call,
    Env,
    Setup,
    Spec,
    created_iff_allowed,
    exists_iff_refused,
    spec,
)
from tests.api.authz_tracking import EXPERIMENTS, RUNS, experiment_id, tracked

READ = "401 404 200 200 200"
CREATE = "401 404 200 200 200"
WRITE = "401 404 403 200 200"


def run_body(**extra: Any) -> Setup:
    return lambda env, role: Call(json={"run_id": tracked(env), **extra})


def run_query(**extra: str) -> Setup:
    return lambda env, role: Call(query={"run_id": tracked(env), **extra})


def experiment_body(**extra: Any) -> Setup:
    return lambda env, role: Call(json={"experiment_id": experiment_id(env), **extra})


def fresh_experiment(env: Env, tags: dict[str, str] | None = None) -> str:
    body = {"name": env.fresh("exp"), "tags": tags or {}}
    return str(env.ok(env.admin.post(EXPERIMENTS, json=body))["id"])


def fresh_run(env: Env) -> str:
    body = {"experiment": "tracked", "name": env.fresh("run"), "tags": {"t": "1"}}
    return str(env.ok(env.admin.post(RUNS, json=body))["id"])


def delete_experiment(env: Env, role: str) -> Call:
    made = fresh_experiment(env)
    verify = exists_iff_refused(env, f"{EXPERIMENTS}/{made}")
    return Call(json={"experiment_id": made}, verify=verify)


def rename_experiment(env: Env, role: str) -> Call:
    return Call(json={"experiment_id": fresh_experiment(env), "new_name": env.fresh("renamed")})


def untag_experiment(env: Env, role: str) -> Call:
    return Call(json={"experiment_id": fresh_experiment(env, {"k": "v"}), "key": "k"})


def delete_run(env: Env, role: str) -> Call:
    run_id = fresh_run(env)
    return Call(json={"run_id": run_id}, verify=exists_iff_refused(env, f"{RUNS}/{run_id}"))


def untag_run(env: Env, role: str) -> Call:
    return Call(json={"run_id": fresh_run(env), "key": "t"})


def log_param(env: Env, role: str) -> Call:
    run_id, key = tracked(env), f"mlflow-{role}"

    def verify(allowed: bool) -> None:
        params = env.ok(env.admin.get(f"{RUNS}/{run_id}"), 200)["params"]
        assert (key in params) is allowed

    return Call(json={"run_id": run_id, "key": key, "value": "1"}, verify=verify)


def artifact(name: str) -> Setup:
    return lambda env, role: Call(
        params={"path": f"{experiment_id(env)}/{tracked(env)}/artifacts/{name}"}
    )


def upload(env: Env, role: str) -> Call:
    run_id, name = tracked(env), f"mlflow-{role}.txt"
    path = f"{RUNS}/{run_id}/artifacts/file?path={name}"
    return Call(
        params={"path": f"{experiment_id(env)}/{run_id}/artifacts/{name}"},
        content=role.encode(),
        verify=created_iff_allowed(env, path),
    )


def artifact_root(env: Env, role: str) -> Call:
    return Call(query={"path": f"{experiment_id(env)}/{tracked(env)}/artifacts"})


API = "/mlflow/ml/api/2.0/mlflow"
SHARED = "mlflow-shared"


def call(env: Env, method: str, path: str, body: dict[str, Any]) -> Any:
    """An MLflow API call as the platform admin."""
    return env.ok(env.admin.request(method, f"{API}/{path}", json=body), 200)


def logged_model(env: Env, tags: dict[str, str] | None = None) -> str:
    """A fresh logged model of the admin's, in the shared run."""
    body = {
        "experiment_id": experiment_id(env),
        "name": env.fresh("lm"),
        "source_run_id": tracked(env),
        "tags": [{"key": k, "value": v} for k, v in (tags or {}).items()],
    }
    return str(call(env, "POST", "logged-models", body)["model"]["info"]["model_id"])


def on_model(suffix: str = "", json: Any = None, tags: dict[str, str] | None = None) -> Setup:
    return lambda env, role: Call(
        params={"model_id": logged_model(env, tags), **_key(suffix)}, json=json
    )


def _key(suffix: str) -> dict[str, str]:
    return {"key": suffix} if suffix else {}


def registered(env: Env, name: str = SHARED, alias: str | None = "production") -> str:
    """A registered model of the admin's with version 1 (the shared run's model.txt)."""
    if name == SHARED and SHARED in env.made:
        return name
    env.made.add(name)
    call(env, "POST", "registered-models/create", {"name": name})
    source = f"runs:/{tracked(env)}/model.txt"
    call(env, "POST", "model-versions/create", {"name": name, "source": source})
    if alias:
        call(env, "POST", "registered-models/alias", {"name": name, "alias": alias, "version": 1})
    return name


def on_registered(in_query: bool = False, **extra: Any) -> Setup:
    def setup(env: Env, role: str) -> Call:
        fields = {"name": registered(env), **extra}
        return Call(query=fields) if in_query else Call(json=fields)

    return setup


def fresh_registered(**extra: Any) -> Setup:
    return lambda env, role: Call(json={"name": registered(env, env.fresh("rm")), **extra})


def fresh_version(env: Env, role: str) -> Call:
    made = call(
        env,
        "POST",
        "model-versions/create",
        {"name": registered(env), "source": f"runs:/{tracked(env)}/model.txt"},
    )
    return Call(json={"name": SHARED, "version": made["model_version"]["version"]})


def version_tag(env: Env, role: str) -> Call:
    key = f"t-{role}"
    call(
        env,
        "POST",
        "model-versions/set-tag",
        {"name": registered(env), "version": "1", "key": key, "value": "v"},
    )
    return Call(json={"name": SHARED, "version": "1", "key": key})


def rename_registered(env: Env, role: str) -> Call:
    return Call(json={"name": registered(env, env.fresh("rm")), "new_name": env.fresh("renamed")})


def untag_registered(env: Env, role: str) -> Call:
    name = registered(env, env.fresh("rm"), alias=None)
    call(env, "POST", "registered-models/set-tag", {"name": name, "key": "k", "value": "v"})
    return Call(json={"name": name, "key": "k"})


TRACKING: dict[str, tuple[str, str, Setup | None]] = {
    "experiments.create": ("POST", CREATE, lambda env, role: Call(json={"name": env.fresh("e")})),
    "experiments.get": (
        "GET",
        READ,
        lambda env, r: Call(query={"experiment_id": experiment_id(env)}),
    ),
    "experiments.get_by_name": (
        "GET",
        READ,
        lambda env, role: Call(query={"experiment_name": "tracked"} if tracked(env) else {}),
    ),
    "experiments.search": ("POST", READ, lambda env, role: Call(json={})),
    "experiments.delete": ("POST", WRITE, delete_experiment),
    "experiments.update": ("POST", WRITE, rename_experiment),
    "experiments.set_tag": ("POST", WRITE, experiment_body(key="k", value="v")),
    "experiments.delete_tag": ("POST", WRITE, untag_experiment),
    "runs.create": ("POST", CREATE, experiment_body()),
    "runs.get": ("GET", READ, run_query()),
    "runs.update": ("POST", WRITE, run_body(status="RUNNING")),
    "runs.delete": ("POST", WRITE, delete_run),
    "runs.search": ("POST", READ, lambda env, role: Call(json={"filter": "metrics.loss < 1"})),
    "runs.log_metric": ("POST", WRITE, run_body(key="m", value=1.0, timestamp=1, step=0)),
    "runs.log_param": ("POST", WRITE, log_param),
    "runs.set_tag": ("POST", WRITE, run_body(key="k", value="v")),
    "runs.delete_tag": ("POST", WRITE, untag_run),
    "runs.log_batch": ("POST", WRITE, run_body(tags=[{"key": "k", "value": "v"}])),
    "runs.log_inputs": ("POST", WRITE, run_body()),
    "runs.log_outputs": ("POST", WRITE, run_body()),
    "runs.log_model": ("POST", WRITE, run_body(model_json="{}")),
    "runs.list_artifacts": ("GET", READ, run_query()),
    "metrics.history": ("GET", READ, run_query(metric_key="loss")),
    "artifacts.list": ("GET", READ, artifact_root),
    "artifacts.upload": ("PUT", WRITE, upload),
    "artifacts.download": ("GET", READ, artifact("model.txt")),
    "server_info": ("GET", READ, None),
}


def family(entries: dict[str, tuple[str, str, Setup | None]]) -> dict[tuple[str, str], Spec]:
    """Matrix entries for routes named ``mlflow.<name>``."""
    return {
        (f"mlflow.{name}", method): spec(statuses, setup)
        for name, (method, statuses, setup) in entries.items()
    }


MODELS: dict[str, tuple[str, str, Setup | None]] = {
    "logged_models.create": (
        "POST",
        WRITE,
        lambda env, role: Call(
            json={"experiment_id": experiment_id(env), "source_run_id": tracked(env)}
        ),
    ),
    "logged_models.get": ("GET", READ, on_model()),
    "logged_models.finalize": ("PATCH", WRITE, on_model(json={"status": "LOGGED_MODEL_READY"})),
    "logged_models.delete": ("DELETE", WRITE, on_model()),
    "logged_models.set_tags": (
        "PATCH",
        WRITE,
        on_model(json={"tags": [{"key": "k", "value": "v"}]}),
    ),
    "logged_models.delete_tag": ("DELETE", WRITE, on_model("k", tags={"k": "v"})),
    "logged_models.log_params": (
        "POST",
        WRITE,
        on_model(json={"params": [{"key": "p", "value": "1"}]}),
    ),
    "logged_models.search": (
        "POST",
        READ,
        lambda env, role: Call(json={"experiment_ids": [experiment_id(env)]}),
    ),
    "registered_models.create": (
        "POST",
        CREATE,
        lambda env, role: Call(json={"name": env.fresh("rm")}),
    ),
    "registered_models.get": ("GET", READ, on_registered(in_query=True)),
    "registered_models.search": ("GET", READ, None),
    "registered_models.rename": ("POST", WRITE, rename_registered),
    "registered_models.update": ("PATCH", WRITE, on_registered(description="d")),
    "registered_models.delete": ("DELETE", WRITE, fresh_registered()),
    "registered_models.set_tag": ("POST", WRITE, on_registered(key="k", value="v")),
    "registered_models.delete_tag": ("DELETE", WRITE, untag_registered),
    "registered_models.latest_versions": ("POST", READ, on_registered()),
    "registered_models.set_alias": ("POST", WRITE, on_registered(alias="staging", version="1")),
    "registered_models.delete_alias": ("DELETE", WRITE, fresh_registered(alias="production")),
    "registered_models.get_alias": ("GET", READ, on_registered(in_query=True, alias="production")),
    "model_versions.create": (
        "POST",
        CREATE,
        lambda env, role: Call(
            json={"name": registered(env), "source": f"runs:/{tracked(env)}/model.txt"}
        ),
    ),
    "model_versions.get": ("GET", READ, on_registered(in_query=True, version="1")),
    "model_versions.download_uri": ("GET", READ, on_registered(in_query=True, version="1")),
    "model_versions.update": ("PATCH", WRITE, on_registered(version="1", description="d")),
    "model_versions.delete": ("DELETE", WRITE, fresh_version),
    "model_versions.set_tag": ("POST", WRITE, on_registered(version="1", key="k", value="v")),
    "model_versions.delete_tag": ("DELETE", WRITE, version_tag),
    "model_versions.search": (
        "GET",
        READ,
        lambda env, role: Call(query={"filter": f"name = '{registered(env)}'"}),
    ),
}


MLFLOW_EXPECTED: dict[tuple[str, str], Spec] = family(TRACKING) | family(MODELS)
MLFLOW_ERROR_CODE = {
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "RESOURCE_DOES_NOT_EXIST",
    409: "RESOURCE_ALREADY_EXISTS",
}
