"""Metric series as packed arrays: how points are stored, ordered and downsampled.

Points are stored in chunks of up to CHUNK_POINTS points, each chunk three little-endian arrays
(int64 steps, int64 millisecond timestamps, float64 values). A float64 keeps NaN and the
infinities exactly, and reading 100,000 points is a few array copies instead of 100,000 rows.
"""

from __future__ import annotations

import math
import sys
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: A new batch goes into the series' last chunk while that holds fewer points than this, so a
#: run that logs a point at a time still ends up with chunks of a useful size.
TAIL_MERGE = 256
CHUNK_POINTS = 8192
_SWAP = sys.byteorder != "little"


@dataclass
class Points:
    """Parallel arrays: ``steps[i]``, ``timestamps[i]``, ``values[i]`` make one point."""

    steps: array[int]
    timestamps: array[int]
    values: array[float]

    @classmethod
    def empty(cls) -> Points:
        return cls(array("q"), array("q"), array("d"))

    @classmethod
    def of(cls, steps: Iterable[int], timestamps: Iterable[int], values: Iterable[float]) -> Points:
        return cls(array("q", steps), array("q", timestamps), array("d", values))

    def __len__(self) -> int:
        return len(self.steps)

    def extend(self, other: Points) -> None:
        self.steps.extend(other.steps)
        self.timestamps.extend(other.timestamps)
        self.values.extend(other.values)

    def slice(self, start: int, end: int) -> Points:
        return Points(self.steps[start:end], self.timestamps[start:end], self.values[start:end])

    def pick(self, indexes: Sequence[int]) -> Points:
        return Points(
            array("q", [self.steps[i] for i in indexes]),
            array("q", [self.timestamps[i] for i in indexes]),
            array("d", [self.values[i] for i in indexes]),
        )

    def is_ordered(self) -> bool:
        # Timsort checks an already sorted array in one linear pass, in C.
        return array("q", sorted(self.steps)) == self.steps


@dataclass(frozen=True)
class Chunk:
    """One stored chunk: packed arrays and the step range they cover."""

    count: int
    min_step: int
    max_step: int
    steps: bytes
    timestamps: bytes
    values: bytes


def pack(points: Points) -> Chunk:
    return Chunk(
        count=len(points),
        min_step=min(points.steps),
        max_step=max(points.steps),
        steps=_bytes(points.steps),
        timestamps=_bytes(points.timestamps),
        values=_bytes(points.values),
    )


def unpack(steps: bytes, timestamps: bytes, values: bytes) -> Points:
    return Points(_array("q", steps), _array("q", timestamps), _array("d", values))


def split(points: Points, size: int = CHUNK_POINTS) -> list[Points]:
    return [points.slice(i, i + size) for i in range(0, len(points), size)]


@dataclass(frozen=True)
class Append:
    """How a batch lands in storage: a rewritten last chunk and/or new chunks, by number."""

    rewrite: tuple[int, Chunk] | None
    new: list[tuple[int, Chunk]]
    chunk_count: int
    tail_count: int


def plan_append(points: Points, chunk_count: int, tail: Points | None) -> Append:
    """Append ``points`` after ``chunk_count`` chunks; ``tail`` is the last chunk's content
    when it is small enough to take the new points in (see TAIL_MERGE), else None."""
    first = chunk_count
    if tail is not None:
        merged = Points.empty()
        merged.extend(tail)
        merged.extend(points)
        points, first = merged, chunk_count - 1
    pieces = split(points)
    chunks = [(first + i, pack(piece)) for i, piece in enumerate(pieces)]
    rewrite = chunks.pop(0) if tail is not None else None
    return Append(rewrite, chunks, first + len(pieces), len(pieces[-1]))


def in_step_order(points: Points, ordered: bool) -> Points:
    """Sorted by step; points of one step keep the order they were logged in.

    ``ordered`` says the points were logged in step order already (tracked per series as
    batches arrive), which spares the sort."""
    if ordered:
        return points
    order = sorted(range(len(points)), key=points.steps.__getitem__)
    return points.pick(order)


def step_range(points: Points, start: int | None, end: int | None) -> Points:
    """The points with ``start <= step <= end`` of step-ordered ``points``."""
    lo = 0 if start is None else bisect_left(points.steps, start)
    hi = len(points) if end is None else bisect_right(points.steps, end)
    return points if (lo, hi) == (0, len(points)) else points.slice(lo, hi)


def downsample(points: Points, max_points: int) -> Points:
    """At most ``max_points`` real points that keep the shape of the series.

    The series is cut into equal runs of points; each run keeps its minimum, its maximum and
    its last point, and the first and last points of the whole series are always kept, so
    spikes survive and the line starts and ends where the data does. NaN never wins a min or
    max; a run of NaNs keeps its last point.
    """
    n = len(points)
    if n <= max_points:
        return points
    buckets = max(1, (max_points - 2) // 3)
    size = math.ceil(n / buckets)
    keep = {0, n - 1}
    for start in range(0, n, size):
        end = min(start + size, n)
        keep.add(end - 1)
        keep.update(start + i for i in _extremes(points.values[start:end]))
    return points.pick(sorted(keep))


@dataclass
class Summary:
    """What search and sort read about a series, kept up to date batch by batch."""

    last_value: float
    last_step: int
    last_timestamp: int
    min_value: float | None
    max_value: float | None
    count: int
    ordered: bool

    def add(self, points: Points) -> None:
        """Fold a batch in; ``points`` come in the order they were logged."""
        other = summarize(points)
        if self.count == 0:
            self.__dict__.update(other.__dict__)
            return
        self.ordered = self.ordered and other.ordered and points.steps[0] >= self.last_step
        if (other.last_step, other.last_timestamp) >= (self.last_step, self.last_timestamp):
            self.last_value = other.last_value
            self.last_step, self.last_timestamp = other.last_step, other.last_timestamp
        self.min_value = _nan_min(self.min_value, other.min_value)
        self.max_value = _nan_max(self.max_value, other.max_value)
        self.count += other.count


def summarize(points: Points) -> Summary:
    steps, values = points.steps, points.values
    top = max(steps)
    if steps.count(top) == 1:
        last = steps.index(top)
    else:  # several points at the last step: the latest timestamp wins, then the later log
        tied = [i for i in range(len(steps)) if steps[i] == top]
        last = max(tied, key=lambda i: (points.timestamps[i], i))
    extremes = _extremes(values)
    return Summary(
        last_value=values[last],
        last_step=top,
        last_timestamp=points.timestamps[last],
        min_value=values[extremes[0]] if extremes else None,
        max_value=values[extremes[1]] if extremes else None,
        count=len(points),
        ordered=points.is_ordered(),
    )


def _nan_min(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else min(a, b)


def _nan_max(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else max(a, b)


def _extremes(values: array[float]) -> tuple[int, ...]:
    """Indexes of the minimum and maximum, ignoring NaN."""
    total = sum(values)
    if total == total:  # NaN propagates through a sum: none here (the common, fast case)
        return values.index(min(values)), values.index(max(values))
    finite = [(v, i) for i, v in enumerate(values) if v == v]
    if not finite:
        return ()
    return min(finite)[1], max(finite)[1]


def _bytes(values: array[int] | array[float]) -> bytes:
    if _SWAP:
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _array(typecode: str, data: bytes) -> array:  # type: ignore[type-arg]
    values = array(typecode)
    values.frombytes(data)
    if _SWAP:
        values.byteswap()
    return values
