"""Writing a model as an MLflow model directory, and logging (and registering) it from a run.

The directory is what ``mlflow.sklearn.save_model`` / ``mlflow.onnx.save_model`` write, reduced
to what loading needs: an ``MLmodel`` file with the ``python_function`` flavor and the native
one, the model file, and optionally the signature and an input example. So both
``atrium.load_model`` and ``mlflow.pyfunc.load_model`` read it.
"""

from __future__ import annotations

import json
import platform
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from atrium.sdk.registry.models import ModelVersion
    from atrium.sdk.tracking.active import ActiveRun

FLAVORS = ("sklearn", "onnx")
EXAMPLE = "input_example.json"


@dataclass(frozen=True)
class LoggedModel:
    run_id: str
    group: str
    artifact_path: str
    version: ModelVersion | None  # set when the model was registered too

    @property
    def model_uri(self) -> str:
        return f"runs:/{self.run_id}/{self.artifact_path}"


def save_model(
    model: Any,
    path: str | Path,
    *,
    flavor: str = "sklearn",
    signature: dict[str, Any] | None = None,
    input_example: Any = None,
) -> Path:
    """Write ``model`` to the new directory ``path`` as an MLflow model.

    ``flavor="sklearn"``: any picklable estimator (cloudpickle when installed).
    ``flavor="onnx"``: an ``onnx.ModelProto`` or its serialized bytes (convert a scikit-learn
    model with ``skl2onnx.to_onnx`` first). ``signature``: ``{"inputs": [...], "outputs":
    [...]}`` in MLflow's column-spec form. ``input_example``: a pandas DataFrame, a NumPy
    array or a list of rows, saved as ``input_example.json``.
    """
    if flavor not in FLAVORS:
        raise ValueError(f"flavor must be one of {', '.join(FLAVORS)}, not {flavor!r}")
    root = Path(path)
    root.mkdir(parents=True, exist_ok=False)
    flavors = _write_sklearn(model, root) if flavor == "sklearn" else _write_onnx(model, root)
    doc: dict[str, Any] = {
        "flavors": flavors,
        "model_uuid": uuid.uuid4().hex,
        "utc_time_created": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
    }
    if signature is not None:
        doc["signature"] = {k: json.dumps(v) for k, v in signature.items()}
    if input_example is not None:
        doc["saved_input_example_info"] = _write_example(input_example, root / EXAMPLE)
    import yaml  # type: ignore[import-untyped]

    (root / "MLmodel").write_text(yaml.safe_dump(doc, sort_keys=True), encoding="utf-8")
    return root


def _pyfunc(loader: str, **conf: Any) -> dict[str, Any]:
    return {"loader_module": loader, "python_version": platform.python_version(), **conf}


def _write_sklearn(model: Any, root: Path) -> dict[str, Any]:
    import sklearn  # type: ignore[import-untyped]

    try:
        import cloudpickle as pickler  # type: ignore[import-untyped]

        form = "cloudpickle"
    except ImportError:
        import pickle as pickler

        form = "pickle"
    with (root / "model.pkl").open("wb") as f:
        pickler.dump(model, f)
    native = {
        "pickled_model": "model.pkl",
        "serialization_format": form,
        "sklearn_version": sklearn.__version__,
        "code": None,
    }
    pyfunc = _pyfunc("mlflow.sklearn", model_path="model.pkl", predict_fn="predict")
    return {"python_function": pyfunc, "sklearn": native}


def _write_onnx(model: Any, root: Path) -> dict[str, Any]:
    import onnx

    data = model if isinstance(model, bytes) else model.SerializeToString()
    (root / "model.onnx").write_bytes(data)
    native = {
        "data": "model.onnx",
        "onnx_version": onnx.__version__,
        "providers": ["CPUExecutionProvider"],
        "code": None,
    }
    return {"python_function": _pyfunc("mlflow.onnx", data="model.onnx"), "onnx": native}


def _write_example(example: Any, path: Path) -> dict[str, Any]:
    """MLflow's layouts: a DataFrame in pandas' ``split`` orient, arrays as ``inputs``."""
    if hasattr(example, "to_dict") and hasattr(example, "columns"):
        split = example.to_dict(orient="split")
        path.write_text(json.dumps({"columns": split["columns"], "data": split["data"]}))
        return {"artifact_path": EXAMPLE, "type": "dataframe", "pandas_orient": "split"}
    rows = example.tolist() if hasattr(example, "tolist") else list(example)
    path.write_text(json.dumps({"inputs": rows}))
    return {"artifact_path": EXAMPLE, "type": "ndarray", "format": "tf-serving"}


def log_model(
    model: Any,
    artifact_path: str = "model",
    *,
    flavor: str = "sklearn",
    registered_model_name: str | None = None,
    signature: dict[str, Any] | None = None,
    input_example: Any = None,
    run: ActiveRun | None = None,
) -> LoggedModel:
    """Save ``model`` (see :func:`save_model`) as artifacts of ``run`` (the active run, or a
    new one) under ``artifact_path``; with ``registered_model_name``, also register it as a
    new version of that model (created if missing)."""
    from atrium.sdk.tracking import fluent

    active = run or fluent.active_run() or fluent.start_run()
    with tempfile.TemporaryDirectory() as tmp:
        local = save_model(
            model, Path(tmp) / "model", flavor=flavor, signature=signature,
            input_example=input_example,
        )  # fmt: skip
        active.log_artifacts(local, artifact_path)
    version = None
    if registered_model_name is not None:
        active.flush()  # the version's metrics snapshot must see what was logged so far
        models = active.client.models
        version = models.register(
            active.group, registered_model_name, run_id=active.id, path=artifact_path
        )
    return LoggedModel(active.id, active.group, artifact_path, version)
