"""Metric series as packed chunks: packing, appending, summaries, ordering, downsampling."""

from __future__ import annotations

import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from atrium.server.domain.metric_series import (
    CHUNK_POINTS,
    TAIL_MERGE,
    Points,
    Summary,
    downsample,
    in_step_order,
    pack,
    plan_append,
    step_range,
    summarize,
    unpack,
)


def points(values: list[float], steps: list[int] | None = None) -> Points:
    steps = steps if steps is not None else list(range(len(values)))
    return Points.of(steps, [1000 + i for i in range(len(values))], values)


def test_packing_keeps_nan_and_infinities_bit_for_bit() -> None:
    original = points([math.nan, math.inf, -math.inf, -0.0, 5e-324, 1.5])
    chunk = pack(original)
    back = unpack(chunk.steps, chunk.timestamps, chunk.values)
    assert math.isnan(back.values[0]) and back.values[1:3].tolist() == [math.inf, -math.inf]
    assert math.copysign(1, back.values[3]) == -1 and back.values[4] == 5e-324
    assert back.steps == original.steps and back.timestamps == original.timestamps
    assert (chunk.count, chunk.min_step, chunk.max_step) == (6, 0, 5)


def test_small_tails_take_new_points_and_big_batches_split() -> None:
    first = plan_append(points([1.0] * 10), chunk_count=0, tail=None)
    assert first.rewrite is None and [seq for seq, _ in first.new] == [0]
    assert (first.chunk_count, first.tail_count) == (1, 10)

    merged = plan_append(points([2.0] * 5), chunk_count=1, tail=points([1.0] * 10))
    assert merged.rewrite is not None and merged.rewrite[0] == 0 and merged.rewrite[1].count == 15
    assert merged.new == [] and (merged.chunk_count, merged.tail_count) == (1, 15)

    big = plan_append(points([0.0] * (CHUNK_POINTS * 2 + 7)), chunk_count=3, tail=None)
    assert [seq for seq, _ in big.new] == [3, 4, 5]
    assert [c.count for _, c in big.new] == [CHUNK_POINTS, CHUNK_POINTS, 7]
    assert (big.chunk_count, big.tail_count) == (6, 7)

    overflow = plan_append(points([0.0] * CHUNK_POINTS), chunk_count=2, tail=points([1.0] * 3))
    assert overflow.rewrite is not None and overflow.rewrite[1].count == CHUNK_POINTS
    assert [(seq, c.count) for seq, c in overflow.new] == [(2, 3)]
    assert TAIL_MERGE < CHUNK_POINTS


def test_summary_tracks_latest_min_max_count_and_order() -> None:
    summary = summarize(points([3.0, math.nan, 1.0], steps=[0, 1, 2]))
    assert (summary.last_value, summary.last_step, summary.count) == (1.0, 2, 3)
    assert (summary.min_value, summary.max_value, summary.ordered) == (1.0, 3.0, True)

    summary.add(points([9.0, -4.0], steps=[1, 1]))  # out of order, below the latest step
    assert summary.last_value == 1.0 and summary.last_step == 2 and summary.ordered is False
    assert (summary.min_value, summary.max_value, summary.count) == (-4.0, 9.0, 5)

    summary.add(Points.of([2], [10**12], [math.nan]))  # same step, later timestamp: latest
    assert math.isnan(summary.last_value) and summary.max_value == 9.0


def test_latest_of_a_batch_at_one_step_is_the_latest_timestamp() -> None:
    batch = Points.of([0, 0, 0], [5, 9, 7], [1.0, 2.0, 3.0])
    found = summarize(batch)
    assert (found.last_value, found.last_timestamp) == (2.0, 9)


def test_a_series_of_only_nan_has_no_min_or_max() -> None:
    empty = Summary(math.nan, 0, 0, None, None, 0, True)
    empty.add(points([math.nan, math.nan]))
    assert empty.min_value is None and empty.max_value is None and empty.count == 2


def test_out_of_order_points_are_sorted_by_step_stably() -> None:
    mixed = Points.of([3, 1, 2, 1], [0, 1, 2, 3], [30.0, 10.0, 20.0, 11.0])
    ordered = in_step_order(mixed, ordered=False)
    assert ordered.steps.tolist() == [1, 1, 2, 3]
    assert ordered.values.tolist() == [10.0, 11.0, 20.0, 30.0]  # step 1: logged order kept
    assert step_range(ordered, 2, None).values.tolist() == [20.0, 30.0]
    assert step_range(ordered, None, 1).values.tolist() == [10.0, 11.0]


def test_downsampling_keeps_first_last_and_every_buckets_extremes() -> None:
    rng = random.Random(7)
    values = [rng.gauss(0, 1) for _ in range(100_000)]
    values[31_337] = 1000.0  # a spike
    values[77_777] = -1000.0
    series = points(values)
    small = downsample(series, 302)
    assert len(small) <= 302
    assert small.steps[0] == 0 and small.steps[-1] == 99_999
    assert small.values[0] == values[0] and small.values[-1] == values[-1]
    assert 1000.0 in small.values and -1000.0 in small.values
    assert small.steps.tolist() == sorted(small.steps)
    assert all(values[s] == v for s, v in zip(small.steps, small.values, strict=True))


def test_downsampling_skips_nan_for_extremes_and_leaves_short_series_alone() -> None:
    values = [math.nan] * 50 + [5.0] + [math.nan] * 49
    small = downsample(points(values), 10)
    assert 5.0 in small.values.tolist() and len(small) <= 10
    short = points([1.0, 2.0])
    assert downsample(short, 10) is short


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), min_size=1, max_size=500),
    st.integers(min_value=5, max_value=60),
)
def test_downsampled_points_are_real_points_with_the_extremes(
    values: list[float], max_points: int
) -> None:
    series = points(values)
    small = downsample(series, max_points)
    assert len(small) <= max(max_points, len(values)) and len(small) >= min(2, len(values))
    for step, value in zip(small.steps, small.values, strict=True):
        assert value == values[step] or (math.isnan(value) and math.isnan(values[step]))
    finite = [v for v in values if not math.isnan(v)]
    if finite:
        assert min(finite) in small.values and max(finite) in small.values
