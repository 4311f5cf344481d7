"""What every background worker shares: one daemon thread, started once, stopped on request."""

from __future__ import annotations

import threading


class BackgroundLoop:
    """A worker whose ``run_forever`` runs in its own thread until :meth:`stop`.

    Subclasses loop while ``self._stop`` is unset and override :meth:`_wake` when they sleep
    on something other than ``self._stop`` (a job signal, the outbox), so that ``stop`` does
    not wait out a whole poll interval.
    """

    thread_name = "atrium-worker"

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_forever(self) -> None:
        raise NotImplementedError

    def _wake(self) -> None:
        """Interrupt the loop's sleep; ``self._stop`` is already set."""

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self.run_forever, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30) -> None:
        """Stop after the current pass; whatever it was doing commits or rolls back whole."""
        self._stop.set()
        self._wake()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
