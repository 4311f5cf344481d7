"""MLflow 3 logged models, kept as artifacts of their source run.

A logged model has no table of its own: its files are the run's artifacts under
``models/<model id>/`` (so the client uploads them like any run artifact, and a registry version
takes them by reference), and its metadata (name, status, tags, params) is the run artifact
``models/<model id>.json``. The model id is ``m-`` + the run id + 8 random hex digits, so a
model leads to its run without a lookup; the run's tag ``mlflow.loggedModels`` lists its models
for searches. A logged model made outside any run gets a run of its own.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from atrium.contracts.tracking import LogBatch, Run, RunCreate, RunUpdate
from atrium.server.api.mlflow import wire
from atrium.server.api.mlflow.errors import MlflowError, missing
from atrium.server.domain.errors import NotFound
from atrium.server.domain.model import Context
from atrium.server.services.hub import Hub

MODEL_ID = re.compile(r"^m-(?P<run>[0-9a-f]{32})[0-9a-f]{8}$")
STATUSES = {"LOGGED_MODEL_PENDING", "LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED"}


def files_prefix(model_id: str) -> str:
    return f"models/{model_id}"


def _meta_path(model_id: str) -> str:
    return f"models/{model_id}.json"


def run_of(model_id: str) -> str:
    found = MODEL_ID.match(model_id)
    if found is None:
        raise missing(f"Logged model with id={model_id!r} not found")
    return found["run"]


class Record(BaseModel):
    """One logged model's metadata, as stored in its JSON artifact."""

    model_id: str
    experiment_id: str
    name: str
    source_run_id: str
    created: int
    updated: int
    model_type: str = ""
    status: str = "LOGGED_MODEL_PENDING"
    tags: dict[str, str] = Field(default_factory=dict)
    params: dict[str, str] = Field(default_factory=dict)
    deleted: bool = False

    def wire(self) -> dict[str, Any]:
        info = {
            "model_id": self.model_id,
            "experiment_id": self.experiment_id,
            "name": self.name,
            "creation_timestamp_ms": self.created,
            "last_updated_timestamp_ms": self.updated,
            "artifact_uri": wire.run_artifact_uri(self.experiment_id, self.source_run_id)
            + f"/{files_prefix(self.model_id)}",
            "status": self.status,
            "model_type": self.model_type,
            "source_run_id": self.source_run_id,
            "tags": wire.pairs(self.tags),
        }
        return {"info": info, "data": {"params": wire.pairs(self.params), "metrics": []}}


def _load(model_id: str, run_id: str, data: bytes) -> Record:
    """The record stored for ``model_id``. It is a run artifact anyone who may write to the run
    could replace, so it is checked rather than trusted."""
    try:
        record = Record.model_validate_json(data)
    except ValidationError as exc:
        raise missing(f"Logged model {model_id!r}: its record is unreadable") from exc
    if record.model_id != model_id or record.source_run_id != run_id:
        raise missing(f"Logged model {model_id!r}: its record names another model")
    return record


class Records:
    """Reading and writing logged-model records through the tracking services, as the caller."""

    def __init__(self, hub: Hub, ctx: Context, group: str) -> None:
        self.hub, self.ctx, self.group = hub, ctx, group

    def now(self) -> int:
        return int(self.hub.clock.now().timestamp() * 1000)

    def create(
        self, experiment: str, name: str, run_id: str | None, fields: dict[str, Any]
    ) -> Record:
        tracking = self.hub.tracking
        if run_id is None:  # a model logged outside a run: its own run holds it
            body = RunCreate(experiment=experiment, name=f"model {name}"[:250])
            run_id = tracking.runs.create(self.ctx, self.group, body).id
            tracking.runs.update(self.ctx, self.group, run_id, RunUpdate(status="finished"))
        run = tracking.runs.get(self.ctx, self.group, run_id)
        model_id = f"m-{run.id}{secrets.token_hex(4)}"
        now = self.now()
        record = Record(
            model_id=model_id,
            experiment_id=str(run.experiment_id),
            name=name,
            source_run_id=run.id,
            created=now,
            updated=now,
            **fields,
        )
        self.save(record)
        listed = " ".join([*wire.logged_model_ids(run), model_id])
        self.hub.tracking.logging.log_batch(
            self.ctx, self.group, run.id, LogBatch(tags={wire.LOGGED_MODELS_TAG: listed})
        )
        return record

    def get(self, model_id: str) -> Record:
        run_id = run_of(model_id)
        try:
            _, chunks = self.hub.tracking.artifacts.open(
                self.ctx, self.group, run_id, _meta_path(model_id)
            )
        except NotFound as exc:  # no such run, or no such record in it
            raise missing(f"Logged model with id={model_id!r} not found") from exc
        record = _load(model_id, run_id, b"".join(chunks))
        if record.deleted:
            raise missing(f"Logged model with id={model_id!r} was deleted")
        return record

    def save(self, record: Record) -> None:
        record.updated = self.now()
        data = record.model_dump_json().encode()
        self.hub.tracking.artifacts.upload(
            self.ctx, self.group, record.source_run_id, _meta_path(record.model_id), [data]
        )

    def of_runs(self, runs: list[Run]) -> list[Record]:
        """The live logged models the runs list in their tags."""
        found = []
        for run in runs:
            for model_id in wire.logged_model_ids(run):
                try:
                    found.append(self.get(model_id))
                except (MlflowError, NotFound):  # deleted, or its record lost
                    continue
        return found
