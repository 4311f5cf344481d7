"""The SDK's metric batcher and system-metric parsers, without a server.

The send function stands in for the network (the edge of the world): it records requests, and
fails the way a dropped connection or a refusing server does.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from atrium.sdk.errors import AtriumConnectionError, ValidationError
from atrium.sdk.tracking import batcher
from atrium.sdk.tracking.batcher import MetricBatcher
from atrium.sdk.tracking.system import Sampler, parse_meminfo, parse_nvidia_smi


class Recorder:
    def __init__(self, failures: list[Exception] | None = None, pause: float = 0.0) -> None:
        self.requests: list[list[dict[str, Any]]] = []
        self.failures = list(failures or [])
        self.pause = pause

    def __call__(self, request: list[dict[str, Any]]) -> None:
        time.sleep(self.pause)
        if self.failures:
            raise self.failures.pop(0)
        self.requests.append(request)

    def points(self, key: str) -> list[float]:
        return [v for r in self.requests for s in r if s["key"] == key for v in s["values"]]


def test_points_wait_for_the_interval_or_a_full_batch() -> None:
    sent = Recorder()
    metrics = MetricBatcher(sent, interval=60, batch_points=100)
    for i in range(99):
        metrics.log("a", float(i), i, 0)
    time.sleep(0.2)
    assert sent.requests == []  # neither due nor full
    metrics.log("a", 99.0, 99, 0)  # the 100th point fills a batch
    deadline = time.monotonic() + 5
    while not sent.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sent.points("a") == [float(i) for i in range(100)]
    metrics.close()


def test_flush_waits_for_delivery_and_close_stops_the_thread() -> None:
    sent = Recorder(pause=0.2)
    metrics = MetricBatcher(sent, interval=60)
    metrics.log("a", 1.0, 0, 5)
    metrics.log("b", 2.0, 7, 6)
    metrics.flush()
    assert sent.requests == [
        [
            {"key": "a", "steps": [0], "timestamps": [5], "values": [1.0]},
            {"key": "b", "steps": [7], "timestamps": [6], "values": [2.0]},
        ]
    ]
    metrics.close()
    assert not metrics._thread.is_alive()


def test_big_buffers_are_cut_into_requests_the_server_accepts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(batcher, "MAX_REQUEST_POINTS", 10)
    monkeypatch.setattr(batcher, "MAX_REQUEST_SERIES", 3)
    sent = Recorder()
    metrics = MetricBatcher(sent, interval=60)
    for i in range(25):
        metrics.log("big", float(i), i, 0)
    for key in "wxyz":
        metrics.log(key, 1.0, 0, 0)
    metrics.close()
    assert all(sum(len(s["values"]) for s in r) <= 10 and len(r) <= 3 for r in sent.requests)
    assert sent.points("big") == [float(i) for i in range(25)]
    assert all(sent.points(key) == [1.0] for key in "wxyz")


def test_connection_failures_are_retried_and_refusals_raised_at_flush(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(time, "sleep", lambda seconds: None)  # the retry pauses
    down = AtriumConnectionError("connection refused")
    sent = Recorder(failures=[down, down])
    metrics = MetricBatcher(sent, interval=60)
    metrics.log("a", 1.0, 0, 0)
    metrics.flush()
    assert sent.points("a") == [1.0]
    sent.failures = [ValidationError("invalid metric key", status=422)]
    metrics.log("bad", 1.0, 0, 0)
    with pytest.raises(ValidationError):
        metrics.flush()
    metrics.log("a", 2.0, 1, 0)
    metrics.flush()  # the refusal was reported once; later batches go on
    assert sent.points("a") == [1.0, 2.0]
    metrics.close()


def test_a_full_buffer_makes_log_wait_instead_of_growing() -> None:
    release = threading.Event()

    def slow(request: list[dict[str, Any]]) -> None:
        release.wait(10)

    metrics = MetricBatcher(slow, interval=0.01, batch_points=1, max_pending=5)
    metrics.log("a", 0.0, 0, 0)  # taken by the sender, which then blocks
    time.sleep(0.1)
    for i in range(5):
        metrics.log("a", 1.0, i, 0)
    blocked = threading.Thread(target=metrics.log, args=("a", 2.0, 9, 0))
    blocked.start()
    blocked.join(0.3)
    assert blocked.is_alive()  # the sixth pending point waits for room
    release.set()
    blocked.join(5)
    assert not blocked.is_alive()
    metrics.close()


def test_meminfo_and_nvidia_smi_parsing() -> None:
    meminfo = "MemTotal:       1000 kB\nMemFree:  100 kB\nMemAvailable:    250 kB\n"
    assert parse_meminfo(meminfo) == 75.0
    assert parse_meminfo("nothing useful") is None
    smi = "37, 1024\n0, 0\n[N/A], 12\n"
    assert parse_nvidia_smi(smi) == {
        "gpu0_percent": 37.0,
        "gpu0_memory_bytes": 1024.0 * 2**20,
        "gpu1_percent": 0.0,
        "gpu1_memory_bytes": 0.0,
    }


def test_a_sample_measures_this_process() -> None:
    sampler = Sampler()
    sum(i * i for i in range(2_000_000))
    found = sampler.sample()
    assert found["cpu_percent"] > 0
    assert found["memory_rss_bytes"] > 2**20
