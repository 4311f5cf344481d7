"""Refusals in MLflow's terms: group isolation, bad tokens, changed params, bad filters."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.mlflow.conftest import GROUP, Server

OWNER = """
import json, mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

def refusal(call):
    try:
        call()
    except MlflowException as exc:
        return [exc.error_code, exc.get_http_status_code(), exc.message]
    return None

with mlflow.start_run() as unnamed:  # no experiment set: MLflow's "0"
    pass
experiment = mlflow.set_experiment("private")
with mlflow.start_run() as run:
    mlflow.log_param("lr", "0.1")
    mlflow.log_param("lr", "0.1")  # the same value again is fine
    changed = refusal(lambda: mlflow.log_param("lr", "0.2"))
client = MlflowClient()
client.create_registered_model("secret-model")
restore = refusal(lambda: client.restore_run(run.info.run_id))
bad_filter = refusal(lambda: mlflow.search_runs([experiment.experiment_id], "metrics.acc >"))
print(json.dumps({
    "run": run.info.run_id,
    "unnamed": unnamed.info.run_id,
    "experiment": experiment.experiment_id,
    "changed": changed,
    "bad_filter": bad_filter,
    "restore": restore,
}))
"""

OUTSIDER = """
import json, mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

def code(call):
    try:
        call()
    except MlflowException as exc:
        return [exc.error_code, exc.get_http_status_code()]
    return None

client = MlflowClient()
print(json.dumps({
    "run": code(lambda: client.get_run("RUN")),
    "experiment": code(lambda: client.get_experiment("EXPERIMENT")),
    "by_name": client.get_experiment_by_name("private"),  # None on RESOURCE_DOES_NOT_EXIST
    "model": code(lambda: client.get_registered_model("secret-model")),
    "log": code(lambda: client.log_param("RUN", "x", "1")),
}))
"""


@pytest.fixture(scope="module")
def owned(sqlite_server: Server) -> dict[str, Any]:
    return sqlite_server.script(OWNER)  # type: ignore[no-any-return]


def test_a_changed_param_is_invalid_and_a_bad_filter_names_the_problem(
    owned: dict[str, Any],
) -> None:
    code, status, message = owned["changed"]
    assert (code, status) == ("INVALID_PARAMETER_VALUE", 400) and "'lr'" in message
    code, status, message = owned["bad_filter"]
    assert (code, status) == ("INVALID_PARAMETER_VALUE", 400)
    assert "expected a number for metrics.acc" in message and "position" in message


def test_an_endpoint_not_served_is_mlflows_endpoint_not_found(owned: dict[str, Any]) -> None:
    code, status, message = owned["restore"]
    assert (code, status) == ("ENDPOINT_NOT_FOUND", 404) and "runs/restore" in message


def test_the_tracking_uri_itself_opens_the_dashboard(sqlite_server: Server) -> None:
    r = httpx.get(f"{sqlite_server.tracking_uri}/")
    assert r.status_code == 307 and r.headers["location"] == f"/g/{GROUP}/experiments"


def test_runs_without_an_experiment_go_to_the_groups_default(
    sqlite_server: Server, owned: dict[str, Any]
) -> None:
    run = sqlite_server.api().get(f"/groups/{GROUP}/runs/{owned['unnamed']}").json()
    assert run["experiment"] == "default" and run["status"] == "finished"


def test_an_outsider_sees_nothing_of_the_group(
    sqlite_server: Server, owned: dict[str, Any]
) -> None:
    code = OUTSIDER.replace("RUN", str(owned["run"])).replace(
        "EXPERIMENT", str(owned["experiment"])
    )
    out = sqlite_server.script(code, token=sqlite_server.tokens["dave"])
    missing = ["RESOURCE_DOES_NOT_EXIST", 404]
    assert out == {
        "run": missing,
        "experiment": missing,
        "by_name": None,
        "model": missing,
        "log": missing,
    }


def test_a_bad_token_is_unauthenticated(sqlite_server: Server) -> None:
    base = f"{sqlite_server.tracking_uri}/api/2.0/mlflow"
    for headers in ({"Authorization": "Bearer atr_wrong"}, {}):
        r = httpx.get(
            f"{base}/experiments/get-by-name", params={"experiment_name": "x"}, headers=headers
        )
        assert r.status_code == 401 and r.json()["error_code"] == "UNAUTHENTICATED", r.text


def test_bad_input_is_invalid_parameter_value_and_changes_nothing(sqlite_server: Server) -> None:
    headers = {"Authorization": f"Bearer {sqlite_server.tokens['alice']}"}
    api = httpx.Client(base_url=f"{sqlite_server.tracking_uri}/api/2.0/mlflow", headers=headers)
    run_id = api.post("/runs/create", json={"experiment_id": "0"}).json()["run"]["info"]["run_id"]
    bad = [
        ("/runs/log-metric", {"run_id": run_id, "key": "m", "value": 1, "step": 2**60}),
        ("/runs/log-metric", {"run_id": run_id, "key": "m", "value": 1, "timestamp": -5}),
        ("/runs/log-metric", {"run_id": run_id, "key": "../m", "value": 1}),
        ("/runs/log-batch", {"run_id": run_id, "metrics": [{"key": "m", "value": "x"}]}),
        ("/runs/create", {"experiment_id": "0", "start_time": 10**20}),
        ("/runs/update", {"run_id": run_id, "status": "DONE"}),
        ("/runs/search", {"filter": "params.lr = 0.1"}),
        ("/runs/search", {"order_by": ["metrics.acc SIDEWAYS"]}),
        ("/experiments/search", {"filter": "name ="}),
    ]
    for path, body in bad:
        r = api.post(path, json=body)
        assert r.status_code == 400, (path, body, r.text)
        assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE", r.text
    run = api.get("/runs/get", params={"run_id": run_id}).json()["run"]
    assert run["data"]["metrics"] == [] and run["info"]["status"] == "RUNNING"
    r = api.get("/artifacts/list", params={"run_id": "x" * 32})
    assert r.status_code == 404 and r.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
