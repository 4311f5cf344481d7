"""A version's files: taken from a run by reference, or uploaded; the MLmodel file in them;
and the storage they take from the group's quota.

Taking a run's artifacts copies no bytes: the version's files point at the same blobs. The
``storage:models`` holding counts the blobs of the group's live versions that its live runs
do not already hold, so registering a run's model costs no quota twice.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from sqlalchemy.orm import Session

from atrium.server.backends.blobstore import BlobStore
from atrium.server.domain.errors import InvalidInput
from atrium.server.domain.registry import MAX_MLMODEL, MLMODEL, MLmodelInfo, read_mlmodel
from atrium.server.domain.tracking import check_artifact_path
from atrium.server.services.job_files import CHUNK
from atrium.server.services.quotas import QuotaService
from atrium.server.store import registry as store
from atrium.server.store import run_artifacts as art_store
from atrium.server.store import run_views
from atrium.server.store.registry_tables import ModelFileRow, ModelVersionRow
from atrium.server.store.tracking_tables import RunArtifactRow, RunRow

STORAGE_HOLDER = "storage:models"


class ModelStorage:
    """The group's storage holding for model versions."""

    def __init__(self, quotas: QuotaService) -> None:
        self.quotas = quotas

    def recount(self, s: Session, group_id: int, enforce: bool = False) -> None:
        amounts = {"storage_bytes": store.group_stored_bytes(s, group_id)}
        self.quotas.set_holding_in(s, group_id, STORAGE_HOLDER, amounts, enforce=enforce)


def blob_sizes(size: int, whole: str, chunks: list[str] | None) -> dict[str, int]:
    """The blobs of one file and their sizes: every chunk but the last is CHUNK bytes."""
    if not chunks:
        return {whole: size}
    sizes = {key: CHUNK for key in chunks[:-1]}
    sizes[chunks[-1]] = size - CHUNK * (len(chunks) - 1)
    return sizes


def record_blobs(s: Session, version_id: int) -> None:
    """Recompute the version's blob set from its files."""
    blobs: dict[str, int] = {}
    for row in store.all_files(s, version_id):
        blobs.update(blob_sizes(row.size, row.hash, row.chunks))
    store.replace_blobs(s, version_id, blobs)


def normal_prefix(path: str) -> str:
    """'' for the whole run, else a relative artifact path without a trailing '/'."""
    path = path.rstrip("/")
    return check_artifact_path(path) if path else ""


def under(items: Iterable[RunArtifactRow], prefix: str) -> dict[str, RunArtifactRow]:
    """The artifacts at or under ``prefix``, keyed by their path relative to it (a single file
    keeps its base name)."""
    found: dict[str, RunArtifactRow] = {}
    for item in items:
        if not prefix:
            found[item.path] = item
        elif item.path == prefix:
            found[prefix.rsplit("/", 1)[-1]] = item
        elif item.path.startswith(prefix + "/"):
            found[item.path[len(prefix) + 1 :]] = item
    return found


def copy_run_files(s: Session, run: RunRow, prefix: str, version_id: int) -> int:
    """Point the version's files at the run's artifact blobs; returns how many."""
    found = under(art_store.all_artifacts(s, run.id), prefix)
    if not found:
        raise InvalidInput(
            f"run {run.uuid} has no artifacts under {prefix!r}: log the model first",
            {"field": "source.path"},
        )
    for rel, item in found.items():
        s.add(
            ModelFileRow(
                version_id=version_id, path=rel, size=item.size, hash=item.hash, chunks=item.chunks
            )
        )
    s.flush()
    record_blobs(s, version_id)
    return len(found)


def metrics_snapshot(s: Session, run_id: int) -> dict[str, float | None]:
    """The run's latest metric values; NaN kept as None (JSON has no NaN)."""
    latest = run_views.latest(s, [run_id]).get(run_id, [])
    return {m[0]: None if m[1] is None or math.isnan(m[1]) else m[1] for m in latest}


def describe(s: Session, blobs: BlobStore, row: ModelVersionRow) -> None:
    """Fill flavors, signature and input example from an MLmodel file, where not given; check
    that a given input example is one of the files."""
    mlmodel = store.file(s, row.id, MLMODEL)
    if mlmodel is not None and not (row.flavors and row.signature and row.input_example_path):
        info = _read(blobs, mlmodel)
        row.flavors = row.flavors or info.flavors
        row.signature = row.signature or info.signature
        row.input_example_path = row.input_example_path or info.input_example_path
    example = row.input_example_path
    if example is not None and store.file(s, row.id, example) is None:
        raise InvalidInput(
            f"input example {example!r} is not one of the version's files",
            {"field": "input_example_path"},
        )


def _read(blobs: BlobStore, row: ModelFileRow) -> MLmodelInfo:
    if row.size > MAX_MLMODEL or row.chunks:
        raise InvalidInput(f"the MLmodel file is larger than {MAX_MLMODEL} bytes")
    return read_mlmodel(blobs.get_bytes(row.hash))
