"""Progress accounting shared by the worker threads of a transfer."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

from atrium.sdk.datasets.models import Progress

ProgressCallback = Callable[[Progress], None]
INTERVAL = 0.05  # seconds between reports, so that 20,000 small files are not 20,000 calls


class Tracker:
    """Counts files and bytes done in one phase and reports each change to ``callback``.

    Thread-safe: workers call :meth:`add`; the callback runs under the tracker's lock, so calls
    never overlap. Reports come at most every INTERVAL seconds, plus the first and the last.
    """

    def __init__(
        self, phase: str, files: int, size: int, callback: ProgressCallback | None
    ) -> None:
        self.phase = phase
        self.files_total = files
        self.bytes_total = size
        self.files_done = 0
        self.bytes_done = 0
        self._callback = callback
        self._lock = threading.Lock()
        self._last = 0.0
        self._report()

    def add(self, files: int = 0, size: int = 0) -> None:
        with self._lock:
            self.files_done += files
            self.bytes_done += size
            if self._callback is not None:
                now = time.monotonic()
                finished = (
                    self.files_done >= self.files_total and self.bytes_done >= self.bytes_total
                )
                if finished or now - self._last >= INTERVAL:
                    self._last = now
                    self._report()

    def _finished(self) -> bool:
        return self.files_done >= self.files_total and self.bytes_done >= self.bytes_total

    def _report(self) -> None:
        if self._callback is not None:
            self._callback(
                Progress(
                    self.phase, self.files_done, self.files_total, self.bytes_done, self.bytes_total
                )
            )


class FileCounter:
    """Which files are complete once their blobs are: a file counts as done with its last blob."""

    def __init__(self, blob_users: dict[str, list[int]]) -> None:
        self._users = blob_users
        self._pending: dict[int, int] = {}
        for users in blob_users.values():
            for index in users:
                self._pending[index] = self._pending.get(index, 0) + 1
        self._lock = threading.Lock()

    @property
    def files(self) -> int:
        return len(self._pending)

    def finish(self, digests: Iterable[str]) -> int:
        """Mark blobs as moved; return how many files that completed."""
        completed = 0
        with self._lock:
            for digest in digests:
                for index in self._users.get(digest, ()):
                    self._pending[index] -= 1
                    completed += self._pending[index] == 0
        return completed
