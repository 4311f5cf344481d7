"""Seed many runs straight into Atrium's and MLflow's databases, the same runs for both.

Creating 100,000 runs through either API would take hours (MLflow creates 4.5 runs/s here),
so the search benchmark writes them with bulk SQL in each tool's own schema: five params and
five metrics (one point each, with the latest-value rows each tool searches) per run. The
experiment itself is created through each tool's API first, so it belongs where it should.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import Connection

from atrium.server.domain.metric_series import Points, pack
from atrium.server.store.tables import GroupRow, UserRow
from atrium.server.store.tracking_tables import (
    ExperimentRow,
    MetricChunkRow,
    RunMetricRow,
    RunParamRow,
    RunRow,
)

KEYS = 5
CHUNK = 10_000
BASE = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SeedRun:
    index: int
    uuid: str
    start: datetime
    params: dict[str, str]
    metrics: dict[str, float]


def runs(n: int, seed: int) -> Iterator[SeedRun]:
    rng = random.Random(seed)
    for i in range(n):
        yield SeedRun(
            index=i,
            uuid=uuid.UUID(int=rng.getrandbits(128)).hex,
            start=BASE + timedelta(seconds=i),
            params={f"p{k}": str(rng.randint(0, 9)) for k in range(1, KEYS + 1)},
            metrics={f"m{k}": rng.random() for k in range(1, KEYS + 1)},
        )


def _analyze(conn: Connection) -> None:
    """PostgreSQL plans by statistics that autovacuum gathers some time after a bulk load; a
    server that has run for a while has them, so gather them now (for both tools)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("ANALYZE"))


def _chunks(items: Iterator[SeedRun]) -> Iterator[list[SeedRun]]:
    batch: list[SeedRun] = []
    for item in items:
        batch.append(item)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


# ---- Atrium --------------------------------------------------------------------------------


def seed_atrium(url: str, group: str, experiment: str, n: int) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        ids = _atrium_ids(conn, group, experiment)
        run_id = int(conn.scalar(select(text("coalesce(max(id), 0)")).select_from(RunRow)) or 0)
        series_id = int(
            conn.scalar(select(text("coalesce(max(id), 0)")).select_from(RunMetricRow)) or 0
        )
        for batch in _chunks(runs(n, seed=n)):
            rows, params, series, chunks = [], [], [], []
            for r in batch:
                run_id += 1
                rows.append(_atrium_run(run_id, r, ids))
                params += [{"run_id": run_id, "key": k, "value": v} for k, v in r.params.items()]
                for key, value in r.metrics.items():
                    series_id += 1
                    series.append(_atrium_series(series_id, run_id, key, value, r.start))
                    chunks.append(_atrium_chunk(series_id, value, r.start))
            for table, values in ((RunRow, rows), (RunParamRow, params)):
                conn.execute(insert(table), values)
            conn.execute(insert(RunMetricRow), series)
            conn.execute(insert(MetricChunkRow), chunks)
    with engine.begin() as conn:
        _analyze(conn)
    engine.dispose()


def _atrium_ids(conn: Connection, group: str, experiment: str) -> dict[str, int]:
    group_id = conn.scalar(select(GroupRow.id).where(GroupRow.name == group))
    experiment_id = conn.scalar(
        select(ExperimentRow.id).where(
            ExperimentRow.group_id == group_id, ExperimentRow.name == experiment
        )
    )
    user_id = conn.scalar(select(UserRow.id).where(UserRow.username == "admin"))
    return {"group": int(group_id), "experiment": int(experiment_id), "user": int(user_id)}


def _atrium_run(run_id: int, r: SeedRun, ids: dict[str, int]) -> dict[str, object]:
    return {
        "id": run_id,
        "uuid": r.uuid,
        "group_id": ids["group"],
        "experiment_id": ids["experiment"],
        "name": f"run-{r.index}",
        "status": "finished",
        "user_id": ids["user"],
        "user": "admin",
        "start_time": r.start,
        "end_time": r.start + timedelta(seconds=1),
        "source_type": "other",
        "updated_at": r.start,
    }


def _atrium_series(
    sid: int, run_id: int, key: str, value: float, at: datetime
) -> dict[str, object]:
    millis = int(at.timestamp() * 1000)
    return {
        "id": sid, "run_id": run_id, "key": key, "last_value": value, "last_step": 0,
        "last_timestamp": millis, "min_value": value, "max_value": value, "count": 1,
        "ordered": True, "chunk_count": 1, "tail_count": 1,
    }  # fmt: skip


def _atrium_chunk(sid: int, value: float, at: datetime) -> dict[str, object]:
    chunk = pack(Points.of([0], [int(at.timestamp() * 1000)], [value]))
    return {
        "series_id": sid, "seq": 0, "count": 1, "min_step": 0, "max_step": 0,
        "steps": chunk.steps, "timestamps": chunk.timestamps, "values": chunk.values,
    }  # fmt: skip


# ---- MLflow --------------------------------------------------------------------------------


def seed_mlflow(url: str, experiment_id: str, n: int, artifacts: str) -> None:
    """Rows as MLflow's own store writes them (runs, params, metrics, latest_metrics)."""
    engine = create_engine(url)
    run_sql = text(
        "INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id,"
        " status, start_time, end_time, source_version, lifecycle_stage, artifact_uri,"
        " experiment_id) VALUES (:id, :name, 'LOCAL', '', '', 'bench', 'FINISHED', :start,"
        " :end, '', 'active', :uri, :exp)"
    )
    param_sql = text("INSERT INTO params (key, value, run_uuid) VALUES (:k, :v, :id)")
    metric_sql = text(
        "INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan)"
        " VALUES (:k, :v, :t, :id, 0, false)"
    )
    latest_sql = text(
        "INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid)"
        " VALUES (:k, :v, :t, 0, false, :id)"
    )
    with engine.begin() as conn:
        for batch in _chunks(runs(n, seed=n)):
            run_rows, params, metrics = [], [], []
            for r in batch:
                start = int(r.start.timestamp() * 1000)
                uri = f"{artifacts}/{experiment_id}/{r.uuid}/artifacts"
                run_rows.append(
                    {
                        "id": r.uuid,
                        "name": f"run-{r.index}",
                        "start": start,
                        "end": start + 1000,
                        "uri": uri,
                        "exp": int(experiment_id),
                    }
                )
                params += [{"k": k, "v": v, "id": r.uuid} for k, v in r.params.items()]
                metrics += [
                    {"k": k, "v": v, "t": start, "id": r.uuid} for k, v in r.metrics.items()
                ]
            conn.execute(run_sql, run_rows)
            conn.execute(param_sql, params)
            conn.execute(metric_sql, metrics)
            conn.execute(latest_sql, metrics)
    with engine.begin() as conn:
        _analyze(conn)
    engine.dispose()
