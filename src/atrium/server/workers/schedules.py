"""The schedule ticker: submit the jobs of schedules whose time has come.

``run_once`` ticks every schedule due at ``now`` (tests pass a fake clock's time);
``run_forever`` loops in a thread the app starts, every ``interval`` seconds, which is plenty
for minute-granular cron. Every replica may run one: each tick claims its schedule with a row
lock (``SKIP LOCKED`` on PostgreSQL), so no tick is submitted twice. A failing pass is logged
and retried; one broken schedule never stops the others (see services/schedule_ticks.py).
"""

from __future__ import annotations

import logging
from datetime import datetime

from atrium.server.domain.clock import Clock
from atrium.server.services.schedule_ticks import ScheduleTicks
from atrium.server.workers._loop import BackgroundLoop

log = logging.getLogger("atrium.schedules")

#: A bound on one pass, so a flood of due schedules cannot starve ``stop``.
MAX_TICKS_PER_PASS = 1000


class ScheduleTicker(BackgroundLoop):
    thread_name = "atrium-schedules"

    def __init__(self, ticks: ScheduleTicks, clock: Clock, interval: float = 10.0) -> None:
        super().__init__()
        self.ticks = ticks
        self.clock = clock
        self.interval = interval

    def run_once(self, now: datetime | None = None) -> int:
        """Tick every schedule due at ``now`` (default: the clock's now); how many ticked."""
        moment = now or self.clock.now()
        done = 0
        while done < MAX_TICKS_PER_PASS and not self._stop.is_set():
            if not self.ticks.tick(moment):
                break
            done += 1
        return done

    def run_forever(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("schedule ticker pass failed; retrying")
            self._stop.wait(self.interval)
