"""``client.models``: the model registry, call by call, plus download and load by ref.

Refs name a version: ``models:/name/3``, ``models:/name@production`` or
``models:/name/latest`` (parsed by :func:`atrium.contracts.registry.parse_model_ref`, the same
parser the server uses).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from atrium.contracts.registry import parse_model_ref
from atrium.sdk._http import HttpCore
from atrium.sdk.datasets.wire import Wire
from atrium.sdk.errors import NotFound, ValidationError
from atrium.sdk.models import Page
from atrium.sdk.registry import cache
from atrium.sdk.registry.models import (
    AliasMove,
    Lineage,
    ModelAlias,
    ModelFile,
    ModelVersion,
    RegisteredModel,
)
from atrium.sdk.resources._base import Resource, compact, seg

PIECE = 1024 * 1024
#: ``progress(path, bytes_done, bytes_total)``, called after each file of an upload or download.
Progress = Callable[[str, int, int], None]


class ModelsResource(Resource):
    def __init__(self, http: HttpCore) -> None:
        super().__init__(http)
        self._wire = Wire(http)

    def _path(self, group: str, name: str | None = None) -> str:
        base = f"/groups/{seg(group)}/models"
        return base if name is None else f"{base}/{seg(name)}"

    def _version(self, group: str, name: str, version: int) -> str:
        return f"{self._path(group, name)}/versions/{int(version)}"

    # ---- models ----------------------------------------------------------------------------

    def list(
        self,
        group: str,
        *,
        filter: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[RegisteredModel]:
        """One page of the group's models; ``filter`` keeps names containing it."""
        query = {"filter": filter, "limit": limit, "cursor": cursor}
        return self._http.page(self._path(group), RegisteredModel.from_api, query)

    def iter_all(self, group: str, *, filter: str | None = None) -> Iterator[RegisteredModel]:
        return self._http.iterate(self._path(group), RegisteredModel.from_api, {"filter": filter})

    def get(self, group: str, name: str) -> RegisteredModel:
        return RegisteredModel.from_api(self._http.request("GET", self._path(group, name)))

    def create(
        self,
        group: str,
        name: str,
        *,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> RegisteredModel:
        body = compact(name=name, description=description, tags=dict(tags) if tags else None)
        return RegisteredModel.from_api(self._http.request("POST", self._path(group), json=body))

    def update(self, group: str, name: str, **changes: Any) -> RegisteredModel:
        """Change ``name`` (rename) or ``description``."""
        found = self._http.request("PATCH", self._path(group, name), json=changes)
        return RegisteredModel.from_api(found)

    def delete(self, group: str, name: str) -> None:
        """Delete the model and all its versions."""
        self._http.request("DELETE", self._path(group, name))

    def set_tag(self, group: str, name: str, key: str, value: str) -> None:
        body = {"key": key, "value": value}
        self._http.request("PUT", f"{self._path(group, name)}/tags", json=body)

    def delete_tag(self, group: str, name: str, key: str) -> None:
        self._http.request("DELETE", f"{self._path(group, name)}/tags", params={"key": key})

    # ---- versions --------------------------------------------------------------------------

    def versions(
        self,
        group: str,
        name: str,
        *,
        status: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[ModelVersion]:
        """One page of the model's versions, newest first."""
        query = {"status": status, "limit": limit, "cursor": cursor}
        path = f"{self._path(group, name)}/versions"
        return self._http.page(path, ModelVersion.from_api, query)

    def get_version(self, group: str, name: str, version: int) -> ModelVersion:
        return ModelVersion.from_api(self._http.request("GET", self._version(group, name, version)))

    def update_version(self, group: str, name: str, version: int, **changes: Any) -> ModelVersion:
        """Change the version's ``description``."""
        path = self._version(group, name, version)
        return ModelVersion.from_api(self._http.request("PATCH", path, json=changes))

    def delete_version(self, group: str, name: str, version: int) -> None:
        self._http.request("DELETE", self._version(group, name, version))

    def files(self, group: str, name: str, version: int) -> Iterator[ModelFile]:
        path = f"{self._version(group, name, version)}/files"
        return self._http.iterate(path, ModelFile.from_api)

    def versions_of_run(self, group: str, run_id: str) -> Sequence[ModelVersion]:
        """The versions registered from the run, by model name (the run's lineage onwards)."""
        found = self._http.request("GET", f"/groups/{seg(group)}/runs/{seg(run_id)}/model-versions")
        return [ModelVersion.from_api(v) for v in found]

    def register(
        self,
        group: str,
        name: str,
        *,
        run_id: str | None = None,
        path: str = "model",
        directory: str | os.PathLike[str] | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
        progress: Progress | None = None,
    ) -> ModelVersion:
        """Register a new version of ``name`` (created if missing): the artifacts of run
        ``run_id`` under ``path`` (by reference, nothing is copied), or the files of a local
        ``directory`` (uploaded, then finalized). Flavors and signature come from an MLmodel
        file among them."""
        if (run_id is None) == (directory is None):
            raise ValueError("pass exactly one of run_id= or directory=")
        self._ensure(group, name)
        body = compact(description=description, tags=dict(tags) if tags else None)
        if run_id is not None:
            body["source"] = {"run_id": run_id, "path": path}
        base = f"{self._path(group, name)}/versions"
        made = ModelVersion.from_api(self._http.request("POST", base, json=body))
        if directory is None:
            return made
        self._upload_dir(group, name, made.version, Path(directory), progress)
        finalized = self._http.request("POST", f"{base}/{made.version}/finalize")
        return ModelVersion.from_api(finalized)

    def _ensure(self, group: str, name: str) -> None:
        try:
            self.get(group, name)
        except NotFound:
            self.create(group, name)

    def _upload_dir(
        self, group: str, name: str, version: int, root: Path, progress: Progress | None
    ) -> None:
        files = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
        if not files:
            raise ValueError(f"{root} holds no files to register")
        total, done = sum(p.stat().st_size for p in files), 0
        for local in files:
            rel = local.relative_to(root).as_posix()
            url = f"{self._version(group, name, version)}/files/content?{urlencode({'path': rel})}"
            size = local.stat().st_size
            self._wire.send("PUT", url, partial(_pieces, local), size, "application/octet-stream")
            done += size
            if progress is not None:
                progress(rel, done, total)

    # ---- aliases ---------------------------------------------------------------------------

    def set_alias(self, group: str, name: str, alias: str, version: int) -> ModelAlias:
        """Point ``alias`` at ready version ``version`` (moving it if it exists)."""
        path = f"{self._path(group, name)}/aliases/{seg(alias)}"
        found = self._http.request("PUT", path, json={"version": int(version)})
        return ModelAlias.from_api(found)

    def get_alias(self, group: str, name: str, alias: str) -> ModelAlias:
        path = f"{self._path(group, name)}/aliases/{seg(alias)}"
        return ModelAlias.from_api(self._http.request("GET", path))

    def delete_alias(self, group: str, name: str, alias: str) -> None:
        self._http.request("DELETE", f"{self._path(group, name)}/aliases/{seg(alias)}")

    def history(self, group: str, name: str, *, alias: str | None = None) -> Iterator[AliasMove]:
        """The model's alias moves, newest first."""
        path = f"{self._path(group, name)}/history"
        return self._http.iterate(path, AliasMove.from_api, {"alias": alias})

    # ---- refs ------------------------------------------------------------------------------

    def resolve(self, group: str, ref: str) -> ModelVersion:
        """The version ``ref`` names now (an alias may move later; ``.ref`` pins it)."""
        try:  # a malformed ref fails here, before a round trip
            parse_model_ref(ref)
        except ValueError as exc:
            raise ValidationError(str(exc), code="validation_error") from exc
        found = self._http.request("GET", f"{self._path(group)}/resolve", params={"ref": ref})
        return ModelVersion.from_api(found)

    def lineage(self, group: str, ref: str) -> Lineage:
        """Version -> run -> job -> environment -> dataset versions."""
        version = self.resolve(group, ref)
        path = f"{self._version(group, version.model, version.version)}/lineage"
        return Lineage.from_api(self._http.request("GET", path))

    def download(
        self,
        group: str,
        ref: str,
        directory: str | os.PathLike[str],
        *,
        progress: Progress | None = None,
    ) -> Path:
        """Write the files of the version ``ref`` names under ``directory``; returns it."""
        version = self.resolve(group, ref)
        return self.download_version(version, Path(directory), progress)

    def download_version(
        self, version: ModelVersion, directory: Path, progress: Progress | None = None
    ) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        base = self._version(version.group, version.model, version.version)
        total, done = version.size, 0
        for item in self.files(version.group, version.model, version.version):
            target = _inside(directory, item.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            url = f"{base}/files/content?{urlencode({'path': item.path})}"
            with self._wire.stream("GET", url) as response, target.open("wb") as out:
                for piece in response.iter_bytes(PIECE):
                    out.write(piece)
            done += item.size
            if progress is not None:
                progress(item.path, done, total)
        return directory

    def load(
        self,
        group: str,
        ref: str,
        *,
        flavor: str | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
    ) -> Any:
        """Download the version ``ref`` names (once: cached by version) and load it by flavor:
        a scikit-learn estimator, an ``onnxruntime.InferenceSession``, a PyTorch module, or
        MLflow's pyfunc model (``flavor="python_function"``, needs ``mlflow``)."""
        from atrium.sdk.registry.loaders import load_local

        version = self.resolve(group, ref)
        local = cache.fetch(self, version, self._http.base_url, cache_dir)
        return load_local(local, flavor=flavor)


def _inside(root: Path, rel: str) -> Path:
    """``root/rel``, refusing a path from the server that would land outside ``root``."""
    target = (root / rel).resolve()
    if not target.is_relative_to(root.resolve()):
        raise ValueError(f"refusing to write {rel!r} outside {root}")
    return target


def _pieces(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while piece := f.read(PIECE):
            yield piece
