"""In-process signals between the API and the scheduler: "there is work" and "a job ended".

Other replicas do not hear them; they poll (the scheduler every ``idle_poll`` seconds, waiters
every second), so the signals only make a single process fast, never correct.
"""

from __future__ import annotations

import threading


class JobSignal:
    def __init__(self) -> None:
        self._work = threading.Event()
        self._lock = threading.Lock()
        self._generation = 0

    def wake(self) -> None:
        """A job was submitted or cancelled: the scheduler should look now."""
        self._work.set()

    def wait_for_work(self, timeout: float) -> bool:
        fired = self._work.wait(timeout)
        self._work.clear()
        return fired

    def job_ended(self) -> None:
        with self._lock:
            self._generation += 1

    @property
    def generation(self) -> int:
        """Changes every time a job ends in this process."""
        return self._generation
