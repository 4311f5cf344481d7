"""Loading a downloaded model directory by flavor, the way MLflow saved it.

The flavor comes from the ``MLmodel`` file (or, without one, from the file names): native
flavors are preferred to ``python_function`` because they return the model itself
(``sklearn``, then ``onnx``, then ``pytorch``). The libraries are imported here, on use, never
at ``import atrium``.

Pickled models (scikit-learn, PyTorch) run code when loaded: load only models you trust, as
with ``pickle`` itself.
"""

from __future__ import annotations

import importlib
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from atrium.sdk.errors import AtriumError

PREFERENCE = ("sklearn", "onnx", "pytorch", "python_function")


class ModelLoadError(AtriumError):
    """The model could not be loaded here: unknown flavor, or its library is not installed."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="model_load_error")


def flavors_of(directory: Path) -> dict[str, dict[str, Any]]:
    """The MLmodel file's flavors, or flavors guessed from file names when there is none."""
    mlmodel = directory / "MLmodel"
    if mlmodel.is_file():
        import yaml  # type: ignore[import-untyped]

        doc = yaml.safe_load(mlmodel.read_text(encoding="utf-8")) or {}
        found = doc.get("flavors") if isinstance(doc, dict) else None
        return {k: v or {} for k, v in found.items()} if isinstance(found, dict) else {}
    names = {p.name for p in directory.iterdir()}
    if "model.pkl" in names:
        return {"sklearn": {"pickled_model": "model.pkl"}}
    onnx = sorted(n for n in names if n.endswith(".onnx"))
    if onnx:
        return {"onnx": {"data": onnx[0]}}
    torch = sorted(n for n in names if n.endswith((".pt", ".pth")))
    return {"pytorch": {"model_data": torch[0]}} if torch else {}


def load_local(directory: str | Path, flavor: str | None = None) -> Any:
    """Load the model in ``directory`` with ``flavor`` (or the preferred one it has)."""
    root = Path(directory)
    flavors = flavors_of(root)
    if flavor is None:
        flavor = next((f for f in PREFERENCE if f in flavors), None)
    if flavor is None or flavor not in flavors or flavor not in LOADERS:
        have = ", ".join(sorted(flavors)) or "none"
        raise ModelLoadError(
            f"cannot load flavor {flavor!r} from {root}: the model has flavors {have}; "
            f"Atrium loads {', '.join(PREFERENCE)}"
        )
    return LOADERS[flavor](root, flavors[flavor])


def _require(module: str, install: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ModelLoadError(
            f"loading this model needs {module!r}, which is not installed: pip install {install}"
        ) from exc


def _sklearn(root: Path, conf: dict[str, Any]) -> Any:
    _require("sklearn", "scikit-learn")
    path = root / conf.get("pickled_model", "model.pkl")
    if conf.get("serialization_format") == "skops":  # mlflow.sklearn's default since 3.x
        skops_io = _require("skops.io", "skops")
        return skops_io.load(path, trusted=conf.get("skops_trusted_types"))
    if conf.get("serialization_format") == "cloudpickle":
        _require("cloudpickle", "cloudpickle")  # its pickles reference it
    with path.open("rb") as f:
        return pickle.load(f)


def _onnx(root: Path, conf: dict[str, Any]) -> Any:
    runtime = _require("onnxruntime", "onnxruntime")
    providers = conf.get("providers") or ["CPUExecutionProvider"]
    usable = [p for p in providers if p in runtime.get_available_providers()]
    path = root / conf.get("data", "model.onnx")
    return runtime.InferenceSession(str(path), providers=usable or ["CPUExecutionProvider"])


def _pytorch(root: Path, conf: dict[str, Any]) -> Any:
    torch = _require("torch", "torch")
    data = root / conf.get("model_data", "data")
    path = data / "model.pth" if data.is_dir() else data
    return torch.load(str(path), weights_only=False)


def _pyfunc(root: Path, conf: dict[str, Any]) -> Any:
    pyfunc = _require("mlflow.pyfunc", "mlflow")
    return pyfunc.load_model(str(root))


LOADERS: dict[str, Callable[[Path, dict[str, Any]], Any]] = {
    "sklearn": _sklearn,
    "onnx": _onnx,
    "pytorch": _pytorch,
    "python_function": _pyfunc,
}
