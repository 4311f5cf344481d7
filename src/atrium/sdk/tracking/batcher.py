"""Metric points batched in memory and sent by one background thread.

``log`` only appends to a buffer and returns: the training loop never waits for the network.
The thread sends what has piled up every ``interval`` seconds, or sooner once ``batch_points``
are waiting. ``flush`` returns once everything logged before it has reached the server (and
raises what the server refused). Durability: points are in this process's memory until sent,
so a crash (SIGKILL, power loss) loses at most the last interval's points; a normal exit
flushes (see fluent.py's atexit hook). Should the buffer reach ``max_pending`` points (the
server down or slow), ``log`` blocks until the sender catches up instead of growing without
bound. A batch whose response was lost is sent again, so its points may arrive twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from atrium.sdk.errors import AtriumConnectionError, AtriumError, ServerError

#: The server takes at most this many points, and series, per request.
MAX_REQUEST_POINTS = 100_000
MAX_REQUEST_SERIES = 1000
RETRY_FOR = 60.0

Series = dict[str, Any]
Send = Callable[[list[Series]], object]


@dataclass
class _Buffer:
    steps: list[int] = field(default_factory=list)
    timestamps: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)


class MetricBatcher:
    def __init__(
        self,
        send: Send,
        interval: float = 1.0,
        batch_points: int = 50_000,
        max_pending: int = 2_000_000,
    ) -> None:
        self._send = send
        self.interval = interval
        self.batch_points = batch_points
        self.max_pending = max_pending
        self._cond = threading.Condition(threading.Lock())
        self._buffers: dict[str, _Buffer] = {}
        self._pending = 0
        self._logged = 0
        self._done = 0
        self._flush_wanted = False
        self._closing = False
        self._errors: list[AtriumError] = []
        self._thread = threading.Thread(target=self._run, name="atrium-metrics", daemon=True)
        self._thread.start()

    def log(self, key: str, value: float, step: int, timestamp: int) -> None:
        with self._cond:
            if self._pending >= self.max_pending:
                self._cond.wait_for(lambda: self._pending < self.max_pending or self._closing)
            buffer = self._buffers.get(key)
            if buffer is None:
                buffer = self._buffers[key] = _Buffer()
            buffer.steps.append(step)
            buffer.timestamps.append(timestamp)
            buffer.values.append(value)
            self._pending += 1
            self._logged += 1
            if self._pending >= self.batch_points:
                self._cond.notify_all()

    def flush(self, timeout: float | None = None) -> None:
        """Wait until every point logged so far is sent; raise the first refusal, if any."""
        with self._cond:
            target = self._logged
            self._flush_wanted = True
            self._cond.notify_all()
            sent = self._cond.wait_for(
                lambda: self._done >= target or not self._thread.is_alive(), timeout
            )
            errors, self._errors = self._errors, []
        if errors:
            raise errors[0]
        if not sent:
            raise TimeoutError(f"metrics not sent within {timeout} s; they are still queued")

    def close(self, timeout: float | None = None) -> None:
        try:
            self.flush(timeout)
        finally:
            with self._cond:
                self._closing = True
                self._cond.notify_all()
            self._thread.join(timeout)

    # ---- the sender thread --------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(self._due, self.interval)
                taken, count = self._take()
                if not taken and self._closing:
                    return
            if taken:
                self._deliver(taken)
            with self._cond:
                self._done += count
                self._cond.notify_all()

    def _due(self) -> bool:
        return self._pending >= self.batch_points or self._flush_wanted or self._closing

    def _take(self) -> tuple[dict[str, _Buffer], int]:
        taken, count = self._buffers, self._pending
        self._buffers, self._pending, self._flush_wanted = {}, 0, False
        return taken, count

    def _deliver(self, taken: dict[str, _Buffer]) -> None:
        for request in _requests(taken):
            try:
                self._send_with_retry(request)
            except AtriumError as exc:
                with self._cond:
                    self._errors.append(exc)

    def _send_with_retry(self, request: list[Series]) -> None:
        """Connection failures and 5xx are retried for a while; anything else is final."""
        deadline, pause = time.monotonic() + RETRY_FOR, 0.5
        while True:
            try:
                self._send(request)
                return
            except (AtriumConnectionError, ServerError):
                if time.monotonic() + pause > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 8.0)


def _requests(taken: dict[str, _Buffer]) -> list[list[Series]]:
    """Cut the buffers into request bodies of at most MAX_REQUEST_POINTS points."""
    requests: list[list[Series]] = [[]]
    room = MAX_REQUEST_POINTS
    for key, buffer in taken.items():
        start = 0
        while start < len(buffer.values):
            if room == 0 or len(requests[-1]) == MAX_REQUEST_SERIES:
                requests.append([])
                room = MAX_REQUEST_POINTS
            end = min(len(buffer.values), start + room)
            requests[-1].append(
                {
                    "key": key,
                    "steps": buffer.steps[start:end],
                    "timestamps": buffer.timestamps[start:end],
                    "values": buffer.values[start:end],
                }
            )
            room -= end - start
            start = end
    return [r for r in requests if r]
