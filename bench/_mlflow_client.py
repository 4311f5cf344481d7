"""The MLflow side of bench/tracking.py: runs inside MLflow's own venv, prints JSON results.

    /tmp/mlflow-venv/bin/python bench/_mlflow_client.py MODE TRACKING_URI '{"...": ...}'

Modes: ``experiment`` (get or create, for seeding), ``log_metric`` (one call per point, as a
training loop does), ``log_batch`` (1,000 points per call, MLflow's limit), ``history_seed`` (a
100,000-point metric through log_batch), ``history`` (get_metric_history of it), ``search``
(search_runs with a filter). Times are wall seconds measured around the client calls only.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from mlflow.entities import Metric
from mlflow.tracking import MlflowClient

BATCH = 1000


def _run(client: MlflowClient, experiment: str) -> str:
    return str(client.create_run(_experiment(client, experiment)).info.run_id)


def experiment(client: MlflowClient, args: dict[str, Any]) -> dict[str, Any]:
    return {"experiment_id": _experiment(client, args["experiment"])}


def _experiment(client: MlflowClient, name: str) -> str:
    found = client.get_experiment_by_name(name)
    return str(found.experiment_id) if found else str(client.create_experiment(name))


def log_metric(client: MlflowClient, args: dict[str, Any]) -> dict[str, Any]:
    run_id = _run(client, args["experiment"])
    started = time.perf_counter()
    for i in range(args["calls"]):
        client.log_metric(run_id, "loss", 1.0 / (i + 1), step=i)
    return {"seconds": time.perf_counter() - started, "points": args["calls"]}


def _batches(run_id: str, client: MlflowClient, calls: int, keys: int) -> None:
    stamp = int(time.time() * 1000)
    per_key = BATCH // keys
    for call in range(calls):
        metrics = [
            Metric(f"m{k}", float(step), stamp, step)
            for k in range(keys)
            for step in range(call * per_key, (call + 1) * per_key)
        ]
        client.log_batch(run_id, metrics=metrics)


def log_batch(client: MlflowClient, args: dict[str, Any]) -> dict[str, Any]:
    run_id = _run(client, args["experiment"])
    started = time.perf_counter()
    _batches(run_id, client, args["calls"], keys=10)
    return {"seconds": time.perf_counter() - started, "points": args["calls"] * BATCH}


def history_seed(client: MlflowClient, args: dict[str, Any]) -> dict[str, Any]:
    run_id = _run(client, args["experiment"])
    started = time.perf_counter()
    _batches(run_id, client, args["points"] // BATCH, keys=1)
    return {"run_id": run_id, "seconds": time.perf_counter() - started}


def history(client: MlflowClient, args: dict[str, Any]) -> dict[str, Any]:
    times, count = [], 0
    client.get_metric_history(args["run_id"], "m0")  # discarded, as on the Atrium side
    for _ in range(args["reps"]):
        started = time.perf_counter()
        count = len(client.get_metric_history(args["run_id"], "m0"))
        times.append(time.perf_counter() - started)
    return {"seconds": times, "count": count}


def search(client: MlflowClient, args: dict[str, Any]) -> dict[str, Any]:
    experiment = client.get_experiment_by_name(args["experiment"])
    assert experiment is not None
    times, count = [], 0
    client.search_runs([experiment.experiment_id], args["filter"], max_results=args["limit"])
    for _ in range(args["reps"]):
        started = time.perf_counter()
        found = client.search_runs(
            [experiment.experiment_id], args["filter"], max_results=args["limit"]
        )
        times.append(time.perf_counter() - started)
        count = len(found)
    return {"seconds": times, "count": count, "experiment_id": experiment.experiment_id}


MODES = {
    "experiment": experiment,
    "log_metric": log_metric,
    "log_batch": log_batch,
    "history_seed": history_seed,
    "history": history,
    "search": search,
}

if __name__ == "__main__":
    mode, uri, raw = sys.argv[1:4]
    print(json.dumps(MODES[mode](MlflowClient(tracking_uri=uri), json.loads(raw))))
