"""Logging into a run (params, tags and metric points in one batch) and reading histories.

A batch is one transaction: it lands whole or not at all (a param logged again with another
value refuses the batch with 409). Batches are not audited one by one: a run's creation,
updates and deletion are, and its data says what was logged when.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from atrium.contracts.tracking import LogBatch, Logged, MetricHistory
from atrium.server.domain.clock import Clock
from atrium.server.domain.errors import Conflict, NotFound
from atrium.server.domain.metric_series import (
    TAIL_MERGE,
    Points,
    Summary,
    downsample,
    in_step_order,
    plan_append,
    step_range,
    unpack,
)
from atrium.server.domain.model import Context
from atrium.server.domain.tracking import check_key, loaded_value, stored_value
from atrium.server.services import run_access as access
from atrium.server.services.runs import check_params, check_tags
from atrium.server.store import run_metrics as metric_store
from atrium.server.store import runs as run_store
from atrium.server.store.db import Database
from atrium.server.store.tracking_tables import RunMetricRow


def _points(batch: LogBatch, now_ms: int) -> dict[str, Points]:
    """The batch's points by key; one key sent twice is one series, in the order sent."""
    found: dict[str, Points] = {}
    for series in batch.metrics:
        check_key("metric", series.key)
        stamps = series.timestamps or [now_ms] * len(series.values)
        points = Points.of(series.steps, stamps, series.values)
        if len(points):
            found.setdefault(series.key, Points.empty()).extend(points)
    return found


def _summary(row: RunMetricRow) -> Summary:
    return Summary(
        last_value=loaded_value(row.last_value),
        last_step=row.last_step,
        last_timestamp=row.last_timestamp,
        min_value=row.min_value,
        max_value=row.max_value,
        count=row.count,
        ordered=row.ordered,
    )


def _store_summary(row: RunMetricRow, summary: Summary) -> None:
    row.last_value = stored_value(summary.last_value)
    row.last_step, row.last_timestamp = summary.last_step, summary.last_timestamp
    row.min_value, row.max_value = summary.min_value, summary.max_value
    row.count, row.ordered = summary.count, summary.ordered


class RunLogging:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def log_batch(self, ctx: Context, group: str, run_id: str, batch: LogBatch) -> Logged:
        check_params(batch.params)
        check_tags(batch.tags)
        points = _points(batch, int(self.clock.now().timestamp() * 1000))
        with self.db.write() as s:
            run = access.resolve(s, ctx, group, run_id, write=True, lock=True).run
            new_params = self._new_params(s, run.id, batch.params)
            run_store.add_params(s, run.id, new_params)
            run_store.set_tags(s, run.id, batch.tags)
            self._append(s, run.id, points)
        total = sum(len(p) for p in points.values())
        return Logged(params=len(new_params), tags=len(batch.tags), points=total)

    @staticmethod
    def _new_params(s: Session, run_id: int, params: Mapping[str, str]) -> dict[str, str]:
        """Params are immutable: the same value again is a no-op, another value a conflict."""
        existing = run_store.param_values(s, run_id, list(params))
        clashes = sorted(k for k, v in params.items() if k in existing and existing[k] != v)
        if clashes:
            shown = ", ".join(f"{k!r} is {existing[k]!r}" for k in clashes[:5])
            raise Conflict(
                f"params cannot change once logged: {shown}; log the new value under another "
                "key, or as a tag or metric",
                {"keys": clashes[:100]},
            )
        return {k: v for k, v in params.items() if k not in existing}

    @staticmethod
    def _append(s: Session, run_id: int, points: dict[str, Points]) -> None:
        if not points:
            return
        rows = metric_store.series(s, run_id, list(points))
        missing = [
            RunMetricRow(
                run_id=run_id,
                key=key,
                last_step=0,
                last_timestamp=0,
                count=0,
                ordered=True,
                chunk_count=0,
                tail_count=0,
            )
            for key in points
            if key not in rows
        ]
        metric_store.add_series(s, missing)
        rows.update((row.key, row) for row in missing)
        small = [r for r in rows.values() if 0 < r.tail_count < TAIL_MERGE]
        tails = metric_store.tails(s, [(r.id, r.chunk_count - 1) for r in small])
        plans = []
        for key, new in points.items():
            row = rows[key]
            tail = tails.get(row.id)
            old = unpack(tail.steps, tail.timestamps, tail.values) if tail else None
            plan = plan_append(new, row.chunk_count, old)
            plans.append((row.id, plan))
            summary = _summary(row)
            summary.add(new)
            _store_summary(row, summary)
            row.chunk_count, row.tail_count = plan.chunk_count, plan.tail_count
        metric_store.write_chunks(s, plans)

    def history(
        self,
        ctx: Context,
        group: str,
        run_id: str,
        key: str,
        max_points: int | None,
        start_step: int | None,
        end_step: int | None,
    ) -> MetricHistory:
        with self.db.read() as s:
            run = access.resolve(s, ctx, group, run_id).run
            series = metric_store.one_series(s, run.id, key)
            if series is None:
                raise NotFound(f"run {run_id} has no metric {key!r}")
            packed = metric_store.chunks(s, series.id, start_step, end_step)
            ordered = series.ordered
        points = Points.empty()
        for chunk in packed:
            points.extend(unpack(*chunk))
        points = step_range(in_step_order(points, ordered), start_step, end_step)
        total = len(points)
        if max_points is not None:
            points = downsample(points, max_points)
        return MetricHistory.model_construct(
            run_id=run_id,
            key=key,
            total=total,
            downsampled=len(points) < total,
            steps=points.steps.tolist(),
            timestamps=points.timestamps.tolist(),
            values=points.values.tolist(),
        )
