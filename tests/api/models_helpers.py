"""Making models, versions and runs with artifacts through the API, for the registry tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

MODELS = "/api/v1/groups/{group}/models"
RUNS = "/api/v1/groups/{group}/runs"

MLMODEL = b"""artifact_path: model
flavors:
  python_function:
    loader_module: mlflow.sklearn
    model_path: model.pkl
  sklearn:
    pickled_model: model.pkl
    serialization_format: cloudpickle
signature:
  inputs: '[{"type": "double", "name": "x"}]'
  outputs: '[{"type": "long"}]'
saved_input_example_info:
  artifact_path: input_example.json
  type: dataframe
"""


def models(group: str = "ml") -> str:
    return MODELS.format(group=group)


def model_path(name: str, group: str = "ml") -> str:
    return f"{models(group)}/{name}"


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def new_model(client: TestClient, name: str, group: str = "ml", **body: Any) -> dict[str, Any]:
    return ok(client.post(models(group), json={"name": name, **body}), 201)  # type: ignore[no-any-return]


def run_with_files(
    client: TestClient, files: dict[str, bytes], group: str = "ml", **body: Any
) -> str:
    """A run with a metric and the given artifacts; returns its id."""
    runs = RUNS.format(group=group)
    run_id = str(ok(client.post(runs, json={"experiment": "reg", **body}), 201)["id"])
    metrics = [{"key": "acc", "steps": [0, 1], "values": [0.5, 0.93]}]
    ok(client.post(f"{runs}/{run_id}/log-batch", json={"metrics": metrics}))
    for path, data in files.items():
        put = client.put(f"{runs}/{run_id}/artifacts/file", params={"path": path}, content=data)
        ok(put, 201)
    return run_id


def register(
    client: TestClient, name: str, run_id: str, path: str = "model", group: str = "ml"
) -> Any:
    body = {"source": {"run_id": run_id, "path": path}}
    return client.post(f"{model_path(name, group)}/versions", json=body)


def upload(
    client: TestClient, name: str, version: int, path: str, data: bytes, group: str = "ml"
) -> Any:
    return client.put(
        f"{model_path(name, group)}/versions/{version}/files/content",
        params={"path": path},
        content=data,
        headers={"content-type": "application/octet-stream"},
    )


def uploaded(client: TestClient, name: str, files: dict[str, bytes], group: str = "ml") -> int:
    """A ready version made by upload; returns its number."""
    made = ok(client.post(f"{model_path(name, group)}/versions", json={}), 201)
    assert made["status"] == "pending"
    for path, data in files.items():
        ok(upload(client, name, made["version"], path, data, group), 201)
    base = f"{model_path(name, group)}/versions/{made['version']}"
    assert ok(client.post(f"{base}/finalize"))["status"] == "ready"
    return int(made["version"])


def set_alias(client: TestClient, name: str, alias: str, version: int) -> Any:
    return client.put(f"{model_path(name)}/aliases/{alias}", json={"version": version})
