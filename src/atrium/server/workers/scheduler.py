"""The scheduler loop: watch running attempts, admit and launch queued jobs.

``run_once`` does one full pass (tests and tools drive it directly); ``run_forever`` loops in
a thread started by the app, waking at once when a job is submitted or cancelled in this
process, every ``active_poll`` seconds while attempts run (to notice exits quickly) and every
``idle_poll`` seconds otherwise (to see what other replicas queued). A failing pass is logged
and retried: one bad job never stops the scheduler.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from atrium.server.services.job_admission import JobAdmission
from atrium.server.services.job_monitor import JobMonitor
from atrium.server.services.job_signal import JobSignal
from atrium.server.workers._loop import BackgroundLoop

log = logging.getLogger("atrium.scheduler")


@dataclass(frozen=True)
class Pass:
    active: int
    ended: int
    launched: int


class Scheduler(BackgroundLoop):
    thread_name = "atrium-scheduler"

    def __init__(
        self,
        admission: JobAdmission,
        monitor: JobMonitor,
        signal: JobSignal,
        *,
        single_writer: bool,
        active_poll: float = 0.01,
        idle_poll: float = 1.0,
    ) -> None:
        super().__init__()
        self.admission = admission
        self.monitor = monitor
        self.signal = signal
        self.single_writer = single_writer
        self.active_poll = active_poll
        self.idle_poll = idle_poll

    def run_once(self, admit: bool = True) -> Pass:
        active, ended = self.monitor.sweep()
        launched = self.admission.run() if admit or ended else 0
        return Pass(active, ended, launched)

    def run_forever(self) -> None:
        if self.single_writer:
            # Alone on the database: attempts admitted but never launched are this server's
            # own, orphaned by its previous run.
            self.monitor.recover()
        last_admission = 0.0
        woken = True
        while not self._stop.is_set():
            admit = woken or time.monotonic() - last_admission >= self.idle_poll
            try:
                done = self.run_once(admit=admit)
            except Exception:
                log.exception("scheduler pass failed; retrying")
                done = Pass(0, 0, 0)
            if admit or done.ended:
                last_admission = time.monotonic()
            busy = done.active or done.launched
            woken = self.signal.wait_for_work(self.active_poll if busy else self.idle_poll)

    def _wake(self) -> None:
        # Running attempts keep running when the scheduler stops (and are re-attached).
        self.signal.wake()
