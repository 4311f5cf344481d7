"""The mlflow client's tracking calls against Atrium, checked through Atrium's own API."""

from __future__ import annotations

import math

from tests.mlflow.conftest import GROUP, Server

TRACKING = """
import json, math, os, mlflow
from mlflow import MlflowClient

mlflow.set_tracking_uri(mlflow.get_tracking_uri())
experiment = mlflow.set_experiment("mlflow-compat")
with mlflow.start_run(run_name="parent") as parent:
    mlflow.log_param("lr", "0.1")
    mlflow.log_params({"epochs": 3, "optimizer": "adam"})
    for step, value in enumerate([0.5, 0.7, 0.95]):
        mlflow.log_metric("acc", value, step=step)
    mlflow.log_metrics({"loss": float("nan"), "grad": float("inf")}, step=0)
    mlflow.set_tag("team", "vision")
    mlflow.set_tags({"stage": "candidate", "owner": "alice"})
    mlflow.log_text("hello", "notes/hello.txt")
    mlflow.log_dict({"a": 1}, "config.json")
    with open("weights.bin", "wb") as f:
        f.write(bytes(range(256)) * 10)
    mlflow.log_artifact("weights.bin", "model")
    os.makedirs("plots/deep")
    for name in ("plots/a.txt", "plots/deep/b.txt"):
        with open(name, "w") as f:
            f.write(name)
    mlflow.log_artifacts("plots", "plots")
    with mlflow.start_run(run_name="child", nested=True) as child:
        mlflow.log_param("lr", "0.01")
        mlflow.log_metric("acc", 0.5)
client = MlflowClient()
history = client.get_metric_history(parent.info.run_id, "acc")
found = mlflow.search_runs(
    [experiment.experiment_id],
    filter_string="metrics.acc > 0.9 and params.lr = '0.1'",
    order_by=["metrics.acc DESC"],
)
children = client.search_runs(
    [experiment.experiment_id], filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'"
)
experiments = [e.name for e in client.search_experiments(filter_string="name LIKE 'mlflow-%'")]
fetched = client.get_run(parent.info.run_id)
local = client.download_artifacts(parent.info.run_id, "model")
print(json.dumps({
    "experiment_id": experiment.experiment_id,
    "parent": parent.info.run_id,
    "child": child.info.run_id,
    "history": [[m.step, m.value] for m in history],
    "found": list(found["run_id"]),
    "children": [r.info.run_id for r in children],
    "experiments": experiments,
    "status": fetched.info.status,
    "loss_is_nan": math.isnan(fetched.data.metrics["loss"]),
    "artifacts": sorted(a.path for a in client.list_artifacts(parent.info.run_id)),
    "downloaded": open(local + "/weights.bin", "rb").read() == bytes(range(256)) * 10,
}))
"""


def test_tracking_calls_land_in_atrium_runs(server: Server) -> None:
    out = server.script(TRACKING)
    assert out["history"] == [[0, 0.5], [1, 0.7], [2, 0.95]]
    assert out["found"] == [out["parent"]]
    assert out["children"] == [out["child"]]
    assert out["experiments"] == ["mlflow-compat"]
    assert out["status"] == "FINISHED" and out["loss_is_nan"] and out["downloaded"]
    assert out["artifacts"] == ["config.json", "model", "notes", "plots"]
    api = server.api()
    run = api.get(f"/groups/{GROUP}/runs/{out['parent']}").json()
    assert run["experiment"] == "mlflow-compat" and run["status"] == "finished"
    assert run["params"] == {"lr": "0.1", "epochs": "3", "optimizer": "adam"}
    assert run["tags"]["team"] == "vision" and run["tags"]["owner"] == "alice"
    assert run["metrics"]["acc"]["value"] == 0.95
    assert (
        run["metrics"]["loss"]["value"] == "NaN" and run["metrics"]["grad"]["value"] == "Infinity"
    )
    child = api.get(f"/groups/{GROUP}/runs/{out['child']}").json()
    assert child["parent_run_id"] == out["parent"] and child["name"] == "child"
    files = api.get(f"/groups/{GROUP}/runs/{out['parent']}/artifacts").json()["items"]
    assert {f["path"] for f in files} == {
        "notes/hello.txt",
        "config.json",
        "model/weights.bin",
        "plots/a.txt",
        "plots/deep/b.txt",
    }
    text = api.get(
        f"/groups/{GROUP}/runs/{out['parent']}/artifacts/file", params={"path": "notes/hello.txt"}
    )
    assert text.content == b"hello"
    assert not math.isnan(run["metrics"]["acc"]["max"])
