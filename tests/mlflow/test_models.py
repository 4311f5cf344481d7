"""sklearn autologging, logged models, registration, aliases and loading models back, with the
mlflow client against Atrium; the registry's side checked through Atrium's own API."""

from __future__ import annotations

import numpy as np

import atrium
from atrium.sdk import Client
from tests.mlflow.conftest import GROUP, Server

X = np.array([[0.0, 1.0], [1.0, 0.0], [0.2, 0.7], [0.9, 0.1], [0.4, 0.6], [0.8, 0.3]])

MODELS = """
import json, mlflow, numpy as np
from mlflow import MlflowClient
from sklearn.linear_model import LogisticRegression

X = np.array([[0.0, 1.0], [1.0, 0.0], [0.2, 0.7], [0.9, 0.1], [0.4, 0.6], [0.8, 0.3]])
y = np.array([0, 1, 0, 1, 0, 1])
mlflow.set_experiment("models")
mlflow.sklearn.autolog()
with mlflow.start_run(run_name="train") as run:
    model = LogisticRegression(C=0.5).fit(X, y)
    info = mlflow.sklearn.log_model(
        model, name="clf", registered_model_name="churn", input_example=X[:2],
    )
client = MlflowClient()
client.set_registered_model_alias("churn", "production", info.registered_model_version)
by_alias = client.get_model_version_by_alias("churn", "production")
with mlflow.start_run(run_name="scratch") as scratch:
    pass
client.delete_run(scratch.info.run_id)
print(json.dumps({
    "run": run.info.run_id,
    "scratch": scratch.info.run_id,
    "model_id": info.model_id,
    "version": by_alias.version,
    "alias_run": by_alias.run_id,
    "expected": model.predict(X).tolist(),
    "by_alias": mlflow.pyfunc.load_model("models:/churn@production").predict(X).tolist(),
    "by_version": mlflow.pyfunc.load_model("models:/churn/1").predict(X).tolist(),
    "by_model_id": mlflow.pyfunc.load_model(info.model_uri).predict(X).tolist(),
    "latest": mlflow.pyfunc.load_model("models:/churn/latest").predict(X).tolist(),
    "logged": client.get_logged_model(info.model_id).status.name,
    "versions_tag": client.get_logged_model(info.model_id).tags.get("mlflow.modelVersions"),
    "searched": [
        m.model_id
        for m in mlflow.search_logged_models(filter_string="name = 'clf'", output_format="list")
    ],
}))
"""


def test_a_model_logged_registered_and_loaded_back_by_alias(server: Server) -> None:
    out = server.script(MODELS)
    loaded = [out["by_alias"], out["by_version"], out["by_model_id"], out["latest"]]
    assert loaded == [out["expected"]] * 4
    assert out["version"] == "1" and out["alias_run"] == out["run"]
    assert out["logged"] == "READY" and out["searched"] == [out["model_id"]]
    assert '"version": "1"' in out["versions_tag"]  # the client's link to the version
    api = server.api()
    run = api.get(f"/groups/{GROUP}/runs/{out['run']}").json()
    assert run["experiment"] == "models" and run["params"]["C"] == "0.5"  # autologged
    assert run["metrics"]["training_accuracy_score"]["count"] == 1  # not sent twice
    files = api.get(f"/groups/{GROUP}/runs/{out['run']}/artifacts", params={"limit": 500})
    paths = {f["path"] for f in files.json()["items"]}
    assert f"models/{out['model_id']}/MLmodel" in paths
    model = api.get(f"/groups/{GROUP}/models/churn").json()
    assert model["aliases"] == {"production": 1}
    version = api.get(f"/groups/{GROUP}/models/churn/versions/1").json()
    assert version["run_id"] == out["run"] and version["status"] == "ready"
    listed = api.get(f"/groups/{GROUP}/models/churn/versions/1/files").json()["items"]
    assert {"MLmodel", "model.skops"} <= {f["path"] for f in listed}  # mlflow's default format
    # Atrium's own loader reads what the unchanged mlflow script logged.
    client = Client(server.url, token=server.tokens["alice"])
    loaded = atrium.load_model("models:/churn@production", group=GROUP, client=client)
    assert loaded.predict(X).tolist() == out["expected"]
    assert api.get(f"/groups/{GROUP}/runs/{out['scratch']}").status_code == 404
