"""The model registry through the SDK against a real server over HTTP: log, register, alias,
download, lineage, and load back (scikit-learn, ONNX, MLflow's pyfunc) with equal predictions."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import atrium
from atrium.sdk import Client, Conflict, NotFound, ValidationError
from atrium.sdk.registry.loaders import ModelLoadError

Unique = Callable[[str], str]


@pytest.fixture
def group(admin_client: Client, unique: Unique) -> str:
    name = unique("reg")
    admin_client.groups.create(name)
    return name


@pytest.fixture
def data() -> tuple[Any, Any]:
    from sklearn.datasets import make_classification

    x, y = make_classification(n_samples=200, n_features=4, random_state=0)
    return x.astype(np.float32), y


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ATRIUM_MODEL_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_sklearn_round_trip_by_alias_with_mlflow_pyfunc_too(
    admin_client: Client, group: str, data: tuple[Any, Any], cache: Path
) -> None:
    from sklearn.linear_model import LogisticRegression

    x, y = data
    model = LogisticRegression().fit(x, y)
    signature = {
        "inputs": [{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}]
    }
    with atrium.start_run("train", group=group, client=admin_client) as run:
        run.log_metric("acc", float(model.score(x, y)))
        logged = atrium.log_model(
            model, "model", registered_model_name="churn", signature=signature,
            input_example=x[:2], run=run,
        )  # fmt: skip
    assert logged.version is not None and logged.model_uri == f"runs:/{run.id}/model"
    version = logged.version
    assert (version.version, version.status) == (1, "ready")
    assert version.flavors == ["python_function", "sklearn"]
    assert version.signature == signature and version.input_example_path == "input_example.json"
    admin_client.models.set_alias(group, "churn", "production", 1)
    loaded = atrium.load_model("models:/churn@production", group=group, client=admin_client)
    assert isinstance(loaded, LogisticRegression)
    assert np.array_equal(loaded.predict(x), model.predict(x))
    pyfunc = admin_client.models.load(group, "models:/churn/1", flavor="python_function")
    assert np.array_equal(np.asarray(pyfunc.predict(x)), model.predict(x))
    cached = list(cache.rglob("MLmodel"))
    assert len(cached) == 1 and cached[0].parent.name == "1"


def test_onnx_round_trip_predicts_like_the_sklearn_model(
    admin_client: Client, group: str, data: tuple[Any, Any], cache: Path
) -> None:
    from skl2onnx import to_onnx
    from sklearn.ensemble import RandomForestClassifier

    x, y = data
    model = RandomForestClassifier(n_estimators=5, random_state=0).fit(x, y)
    proto = to_onnx(model, x[:1], options={"zipmap": False})
    with atrium.start_run("onnx", group=group, client=admin_client) as run:
        atrium.log_model(proto, "onnx-model", flavor="onnx", registered_model_name="rf", run=run)
    session = admin_client.models.load(group, "models:/rf/latest")
    assert type(session).__name__ == "InferenceSession"
    labels = session.run(None, {session.get_inputs()[0].name: x})[0]
    assert np.array_equal(labels, model.predict(x))
    pyfunc = admin_client.models.load(group, "models:/rf/latest", flavor="python_function")
    assert pyfunc is not None


def test_register_a_directory_download_lineage_and_history(
    admin_client: Client, group: str, tmp_path: Path
) -> None:
    source = tmp_path / "model"
    (source / "sub").mkdir(parents=True)
    (source / "weights.bin").write_bytes(b"w" * 3000)
    (source / "sub" / "vocab.txt").write_text("a\nb\n")
    seen: list[tuple[str, int, int]] = []
    models = admin_client.models
    made = models.register(group, "tok", directory=source, description="d",
                           progress=lambda *a: seen.append(a))  # fmt: skip
    assert (made.status, made.file_count, made.size, made.source) == ("ready", 2, 3004, "upload")
    assert seen == [("sub/vocab.txt", 4, 3004), ("weights.bin", 3004, 3004)]
    out = models.download(group, "models:/tok/1", tmp_path / "out")
    assert (out / "weights.bin").read_bytes() == b"w" * 3000
    assert (out / "sub" / "vocab.txt").read_text() == "a\nb\n"
    assert models.lineage(group, "models:/tok/1").run is None
    models.set_alias(group, "tok", "candidate", 1)
    assert [m.to_version for m in models.history(group, "tok")] == [1]
    assert models.get(group, "tok").aliases == {"candidate": 1}
    models.delete_alias(group, "tok", "candidate")
    with pytest.raises(NotFound):
        models.resolve(group, "models:/tok@candidate")
    with pytest.raises(Conflict):
        models.create(group, "tok")
    with pytest.raises(ValidationError):
        models.create(group, "bad/name")
    with pytest.raises(ValidationError, match="models:/"):
        models.resolve(group, "tok@candidate")


def test_a_pytorch_model_without_torch_says_what_is_missing(
    admin_client: Client, group: str, tmp_path: Path, cache: Path
) -> None:
    source = tmp_path / "torch-model"
    (source / "data").mkdir(parents=True)
    (source / "data" / "model.pth").write_bytes(b"not really")
    (source / "MLmodel").write_text("flavors:\n  pytorch:\n    model_data: data\n")
    admin_client.models.register(group, "net", directory=source)
    assert admin_client.models.get_version(group, "net", 1).flavors == ["pytorch"]
    with pytest.raises(ModelLoadError, match="pip install torch"):
        admin_client.models.load(group, "models:/net/1")
    with pytest.raises(ModelLoadError, match="flavors pytorch"):
        admin_client.models.load(group, "models:/net/1", flavor="sklearn")


TRAIN_IN_JOB = """
import os, atrium, numpy as np
from sklearn.linear_model import LogisticRegression
data = np.loadtxt(os.path.join(os.environ["ATRIUM_DATA_TABLE"], "train.csv"), delimiter=",")
with atrium.start_run(params={"C": 1.0}) as run:
    model = LogisticRegression().fit(data[:, :2], data[:, 2])
    run.log_metric("acc", model.score(data[:, :2], data[:, 2]))
    atrium.log_model(model, "model", registered_model_name="from-job", run=run)
"""


def test_a_model_trained_by_a_job_leads_back_to_its_dataset_version(
    admin_client: Client, group: str, tmp_path: Path, cache: Path
) -> None:
    admin_client.members.add(group, "admin", role="admin")  # so that the job's token may act
    table = tmp_path / "table"
    table.mkdir()
    rows = [(x, x % 3, int(x > 4)) for x in range(10)]
    (table / "train.csv").write_text("\n".join(f"{a},{b},{c}" for a, b, c in rows))
    admin_client.datasets.create(f"{group}/table")
    admin_client.datasets.push(table, f"{group}/table")
    job = admin_client.jobs.submit(
        group, ["python", "-c", TRAIN_IN_JOB], name="train", inputs={"TABLE": f"{group}/table"}
    )
    done = admin_client.jobs.wait(group, job.id, timeout=120)
    assert done.status == "succeeded", admin_client.jobs.logs(group, job.id)
    found = admin_client.models.lineage(group, "models:/from-job/latest")
    assert found.run is not None and found.run["id"] == job.run_id
    assert found.run["params"] == {"C": "1.0"} and found.run["metrics"]["acc"] == 1.0
    assert found.job is not None and (found.job["id"], found.job["status"]) == (job.id, "succeeded")
    assert found.datasets == [f"{group}/table@v1"]
    model = atrium.load_model("models:/from-job/1", group=group, client=admin_client)
    assert list(model.predict(np.array([[0.0, 0.0], [9.0, 0.0]]))) == [0, 1]


def test_importing_atrium_loads_no_ml_library() -> None:
    code = (
        "import sys, atrium; atrium.Client; atrium.load_model; atrium.log_model; "
        "print(sorted(m for m in ('sklearn', 'onnx', 'onnxruntime', 'mlflow', 'torch', 'yaml')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
