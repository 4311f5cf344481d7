"""The notification delivery loop: send what the outbox holds, retry what failed.

``run_once`` sends one batch (tests drive it directly); ``run_forever`` loops in a thread the
app starts next to the scheduler, waking at once when a job end commits deliveries in this
process and every ``idle_poll`` seconds otherwise (for retries, and for rows other replicas
queued). Sends run in the dispatcher's own threads with time limits: a slow receiver delays
other notifications a little and the scheduler not at all. Once an hour, deliveries finished
more than ``keep`` ago are forgotten.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from atrium.server.domain.clock import Clock
from atrium.server.services.notification_delivery import Dispatcher
from atrium.server.workers._loop import BackgroundLoop

log = logging.getLogger("atrium.notifications")


class NotificationWorker(BackgroundLoop):
    thread_name = "atrium-notifications"

    def __init__(
        self,
        dispatcher: Dispatcher,
        clock: Clock,
        *,
        batch: int = 20,
        idle_poll: float = 1.0,
        prune_every: float = 3600.0,
        keep: timedelta = timedelta(days=30),
    ) -> None:
        super().__init__()
        self.dispatcher = dispatcher
        self.clock = clock
        self.batch = batch
        self.idle_poll = idle_poll
        self.prune_every = prune_every
        self.keep = keep
        self._last_prune = float("-inf")

    def run_once(self) -> int:
        """Send one batch of due deliveries; returns how many were tried."""
        return self.dispatcher.run_batch(self.batch)

    def run_forever(self) -> None:
        while not self._stop.is_set():
            try:
                tried = self.run_once()
                self._prune_if_due()
            except Exception:  # the database may be briefly away; try again next round
                log.exception("notification pass failed; retrying")
                tried = 0
            if tried < self.batch:  # a full batch means more may be due: go on at once
                self.dispatcher.wait_for_work(self.idle_poll)

    def _prune_if_due(self) -> None:
        if time.monotonic() - self._last_prune < self.prune_every:
            return
        self._last_prune = time.monotonic()
        self.dispatcher.prune(self.clock.now() - self.keep)

    def _wake(self) -> None:
        # What is left stays in the outbox for the next start.
        self.dispatcher.wake()
