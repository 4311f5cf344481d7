"""Sending the outbox: claim due deliveries, send them outside any transaction, record how.

A claim (one short transaction) counts the attempt and moves ``next_attempt_at`` past the
lease; the send happens with no transaction open (a slow receiver holds no lock and no SQLite
write slot); the outcome is recorded only if the claim still stands. A worker that dies
between claim and record leaves the row to be claimed again when the lease ends: delivery is
at least once, and receivers drop repeats by ``X-Atrium-Delivery``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from atrium.server.backends.notify import Notifier, Outgoing, SendError
from atrium.server.domain.clock import Clock
from atrium.server.domain.notifications import FAILED, SENT, RetryPolicy
from atrium.server.services.notification_secrets import open_secret
from atrium.server.services.secret_box import SecretBox, SecretKeyError
from atrium.server.store import notifications as store
from atrium.server.store.db import Database
from atrium.server.store.tables import NotificationChannelRow, NotificationDeliveryRow

log = logging.getLogger("atrium.notifications")


@dataclass(frozen=True)
class Claim:
    seq: int
    attempts: int
    kind: str
    message: Outgoing


class Dispatcher:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        box: SecretBox,
        notifiers: Mapping[str, Notifier],
        policy: RetryPolicy | None = None,
        threads: int = 4,
    ) -> None:
        self.db = db
        self.clock = clock
        self.box = box
        self.notifiers = notifiers
        self.policy = policy or RetryPolicy()
        self.threads = threads
        self._due = threading.Event()

    def wake(self) -> None:
        """New deliveries were committed: the worker should look now, not at its next poll."""
        self._due.set()

    def wait_for_work(self, timeout: float) -> None:
        self._due.wait(timeout)
        self._due.clear()

    def run_batch(self, limit: int) -> int:
        """Send up to ``limit`` due deliveries, a few at a time; returns how many were claimed."""
        with self.db.read() as s:
            # A read first: an idle poll must not take SQLite's one write slot every second.
            if not store.any_due(s, self.clock.now()):
                return 0
        claims = self._claim(limit)
        if len(claims) == 1:
            self._deliver(claims[0])
        elif claims:
            with ThreadPoolExecutor(min(self.threads, len(claims))) as pool:
                list(pool.map(self._deliver, claims))
        return len(claims)

    def attempt(self, delivery_id: str) -> None:
        """Try one delivery now, if it is due and no other worker holds it."""
        for claim in self._claim(1, delivery_id):
            self._deliver(claim)

    def prune(self, before: datetime) -> int:
        with self.db.write() as s:
            return store.prune(s, before)

    def _claim(self, limit: int, delivery_id: str | None = None) -> list[Claim]:
        now = self.clock.now()
        claims = []
        with self.db.write() as s:
            for row, channel in store.claim_due(s, now, limit, delivery_id):
                row.attempts += 1
                row.next_attempt_at = now + self.policy.lease
                try:
                    claims.append(self._claim_of(row, channel, now))
                except SecretKeyError as exc:
                    self._fail(row, str(exc), now)
        return claims

    def _claim_of(
        self, row: NotificationDeliveryRow, channel: NotificationChannelRow, now: datetime
    ) -> Claim:
        secret = open_secret(self.box, channel) if channel.kind == "webhook" else None
        message = Outgoing(row.id, row.event, channel.target, row.payload, now, secret)
        return Claim(row.seq, row.attempts, channel.kind, message)

    def _deliver(self, claim: Claim) -> None:
        error: SendError | None = None
        try:
            self.notifiers[claim.kind].send(claim.message)
        except SendError as exc:
            error = exc
        except Exception as exc:  # a sender bug must not kill the worker or lose the row
            log.exception("notification sender failed on delivery %s", claim.message.delivery_id)
            error = SendError(f"internal error: {type(exc).__name__}")
        self._record(claim, error)

    def _record(self, claim: Claim, error: SendError | None) -> None:
        now = self.clock.now()
        with self.db.write() as s:
            row = store.claimed(s, claim.seq, claim.attempts)
            if row is None:
                return  # the lease ran out and another worker owns the delivery now
            if error is None:
                row.status, row.sent_at, row.last_error = SENT, now, None
            elif not error.retry or row.attempts >= self.policy.max_attempts:
                self._fail(row, error.reason, now)
            else:
                row.last_error = error.reason[:500]
                row.next_attempt_at = now + self.policy.delay_after(row.attempts)

    def _fail(self, row: NotificationDeliveryRow, reason: str, now: datetime) -> None:
        row.status, row.last_error, row.next_attempt_at = FAILED, reason[:500], now
