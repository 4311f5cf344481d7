"""Metric series and their packed chunks: the statements of ingest and history reads."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, delete, func, insert, select, tuple_, update
from sqlalchemy.orm import Session

from atrium.server.domain.metric_series import Append, Chunk
from atrium.server.store.tracking_tables import MetricChunkRow, RunMetricRow, RunRow

BATCH = 500


def series(s: Session, run_id: int, keys: Sequence[str]) -> dict[str, RunMetricRow]:
    found: dict[str, RunMetricRow] = {}
    for i in range(0, len(keys), BATCH):
        stmt = select(RunMetricRow).where(
            RunMetricRow.run_id == run_id, RunMetricRow.key.in_(keys[i : i + BATCH])
        )
        found.update((row.key, row) for row in s.scalars(stmt))
    return found


def one_series(s: Session, run_id: int, key: str) -> RunMetricRow | None:
    stmt = select(RunMetricRow).where(RunMetricRow.run_id == run_id, RunMetricRow.key == key)
    return s.scalar(stmt)


def add_series(s: Session, rows: Sequence[RunMetricRow]) -> None:
    s.add_all(rows)
    s.flush()


def tails(s: Session, wanted: Sequence[tuple[int, int]]) -> dict[int, MetricChunkRow]:
    """The chunks named by (series id, chunk number), by series id."""
    found: dict[int, MetricChunkRow] = {}
    for i in range(0, len(wanted), BATCH):
        keys = tuple_(MetricChunkRow.series_id, MetricChunkRow.seq)
        stmt = select(MetricChunkRow).where(keys.in_(wanted[i : i + BATCH]))
        found.update((row.series_id, row) for row in s.scalars(stmt))
    return found


def _values(series_id: int, seq: int, chunk: Chunk) -> dict[str, object]:
    return {
        "series_id": series_id,
        "seq": seq,
        "count": chunk.count,
        "min_step": chunk.min_step,
        "max_step": chunk.max_step,
        "steps": chunk.steps,
        "timestamps": chunk.timestamps,
        "values": chunk.values,
    }


def write_chunks(s: Session, plans: Sequence[tuple[int, Append]]) -> None:
    """Apply each series' append plan: rewritten last chunks, then new chunks, in bulk."""
    rewrites = [_values(sid, *plan.rewrite) for sid, plan in plans if plan.rewrite]
    new = [_values(sid, seq, chunk) for sid, plan in plans for seq, chunk in plan.new]
    if rewrites:
        stmt = (
            update(MetricChunkRow)
            .where(
                MetricChunkRow.series_id == bindparam("b_series_id"),
                MetricChunkRow.seq == bindparam("b_seq"),
            )
            .values(
                {
                    name: bindparam(f"b_{name}")
                    for name in ("count", "min_step", "max_step", "steps", "timestamps", "values")
                }
            )
        )
        s.connection().execute(stmt, [{f"b_{k}": v for k, v in r.items()} for r in rewrites])
    if new:
        s.execute(insert(MetricChunkRow), new)


def chunks(
    s: Session, series_id: int, start: int | None, end: int | None
) -> list[tuple[bytes, bytes, bytes]]:
    """The packed arrays of the series' chunks that may hold steps in [start, end], in order."""
    stmt = select(MetricChunkRow.steps, MetricChunkRow.timestamps, MetricChunkRow.values).where(
        MetricChunkRow.series_id == series_id
    )
    if start is not None:
        stmt = stmt.where(MetricChunkRow.max_step >= start)
    if end is not None:
        stmt = stmt.where(MetricChunkRow.min_step <= end)
    return [tuple(row) for row in s.execute(stmt.order_by(MetricChunkRow.seq))]  # type: ignore[misc]


def purge_deleted(s: Session, dry_run: bool) -> int:
    """Drop the metric series of deleted runs (their rows stay, for the audit trail); the
    number of points they held."""
    gone = select(RunRow.id).where(RunRow.deleted_at.is_not(None))
    series_ids = select(RunMetricRow.id).where(RunMetricRow.run_id.in_(gone))
    held = select(func.coalesce(func.sum(MetricChunkRow.count), 0)).where(
        MetricChunkRow.series_id.in_(series_ids)
    )
    points = int(s.scalar(held) or 0)
    if not dry_run:
        s.execute(delete(MetricChunkRow).where(MetricChunkRow.series_id.in_(series_ids)))
        s.execute(delete(RunMetricRow).where(RunMetricRow.run_id.in_(gone)))
    return points
