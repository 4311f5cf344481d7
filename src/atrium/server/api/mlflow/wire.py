"""Atrium's tracking objects in MLflow's wire shapes, and the shapes of MLflow's requests.

Run ids are Atrium's (32 hex, as MLflow's); experiment ids are Atrium's as strings. MLflow's
system tags that Atrium keeps as run attributes (``mlflow.runName``, ``mlflow.user``,
``mlflow.parentRunId``) are read from the attributes and written to them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from atrium.contracts.tracking import Experiment, Run
from atrium.server.api.mlflow.errors import invalid

RUN_NAME_TAG = "mlflow.runName"
USER_TAG = "mlflow.user"
PARENT_TAG = "mlflow.parentRunId"
SOURCE_NAME_TAG = "mlflow.source.name"
SOURCE_TYPE_TAG = "mlflow.source.type"
GIT_COMMIT_TAG = "mlflow.source.git.commit"
# The run tag listing the ids of the MLflow logged models stored in the run (logged_models.py).
LOGGED_MODELS_TAG = "mlflow.loggedModels"
ATTRIBUTE_TAGS = {RUN_NAME_TAG, USER_TAG, PARENT_TAG}
# MLflow's default experiment "0": Atrium's "default" experiment of the group.
DEFAULT_EXPERIMENT_ID = "0"
DEFAULT_EXPERIMENT = "default"


class Body(BaseModel):
    """MLflow requests carry fields this layer ignores (``run_uuid`` beside ``run_id``...)."""

    model_config = ConfigDict(extra="ignore")


class KeyValue(Body):
    key: str = Field(max_length=1000)
    value: str = Field(default="", max_length=100_000)


class MetricIn(Body):
    key: str = Field(max_length=1000)
    value: float
    timestamp: int = 0
    step: int = 0
    model_id: str | None = None


def millis(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1000)


def from_millis(value: int | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise invalid(f"time {value} (milliseconds since the epoch) is out of range") from exc


def pairs(mapping: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in mapping.items()]


def experiment_location(experiment_id: int | str) -> str:
    return f"mlflow-artifacts:/{experiment_id}"


def run_artifact_uri(experiment_id: int | str, run_id: str) -> str:
    return f"mlflow-artifacts:/{experiment_id}/{run_id}/artifacts"


def experiment(found: Experiment) -> dict[str, Any]:
    return {
        "experiment_id": str(found.id),
        "name": found.name,
        "artifact_location": experiment_location(found.id),
        "lifecycle_stage": "active",
        "creation_time": millis(found.created_at),
        "last_update_time": millis(found.updated_at),
        "tags": pairs(found.tags),
    }


def run_info(run: Run) -> dict[str, Any]:
    info = {
        "run_id": run.id,
        "run_uuid": run.id,
        "run_name": run.name,
        "experiment_id": str(run.experiment_id),
        "user_id": run.user or "",
        "status": run.status.upper(),
        "start_time": millis(run.start_time),
        "artifact_uri": run_artifact_uri(run.experiment_id, run.id),
        "lifecycle_stage": "active",
    }
    if run.end_time is not None:
        info["end_time"] = millis(run.end_time)
    return info


def run_tags(run: Run) -> dict[str, str]:
    tags = {k: v for k, v in run.tags.items() if k != LOGGED_MODELS_TAG}
    tags[RUN_NAME_TAG] = run.name
    if run.user:
        tags[USER_TAG] = run.user
    if run.parent_run_id:
        tags[PARENT_TAG] = run.parent_run_id
    return tags


def logged_model_ids(run: Run) -> list[str]:
    return run.tags.get(LOGGED_MODELS_TAG, "").split()


def full_run(found: Run) -> dict[str, Any]:
    metrics = [
        {"key": k, "value": m["value"], "timestamp": m["timestamp"], "step": m["step"]}
        for k, m in found.metrics.items()
    ]
    outputs = [{"model_id": m, "step": 0} for m in logged_model_ids(found)]
    return {
        "info": run_info(found),
        "data": {"metrics": metrics, "params": pairs(found.params), "tags": pairs(run_tags(found))},
        "inputs": {},
        "outputs": {"model_outputs": outputs},
    }
